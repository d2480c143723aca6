package io.groundstate.detectors.physics;

import io.groundstate.detectors.vec.Vectors;

/**
 * Discrete semantic states: the context clusters mu_k, the question's state, and the null state for
 * "grounded nowhere". A transition is direct when it stays or moves between neighbouring states,
 * indirect when it passes through null or jumps further than the states license.
 */
public final class SemanticStates {
    public static final int NULL = -1;
    public static final int QUESTION = -2;

    private SemanticStates() {
    }

    /** Nearest state, or NULL when the sentence's energy in the basis (its grounding energy) exceeds nullEnergy. */
    public static int assign(float[] s, Basis basis, double nullEnergy, double energy) {
        double best = -2;
        int state = NULL;
        float[][] mu = basis.centroids();
        double[] toCentroids = Vectors.dots(s, mu);
        for (int k = 0; k < mu.length; k++) {
            double c = Vectors.clampCos(toCentroids[k]);
            if (c > best) {
                best = c;
                state = k;
            }
        }
        if (basis.question() != null && Vectors.cos(s, basis.question()) > best) {
            best = Vectors.cos(s, basis.question());
            state = QUESTION;
        }
        // The sentence is grounded somewhere if it is near a member state, not only near a centroid.
        return energy > nullEnergy ? NULL : state;
    }

    public static float[] vectorOf(int state, Basis basis) {
        if (state == QUESTION) {
            return basis.question();
        }
        return state >= 0 ? basis.centroids()[state] : null;
    }

    /** Licensed energy L = 1 - cos(mu_prev, mu_cur); NaN when either state is null. */
    public static double licensed(int previous, int current, Basis basis) {
        float[] a = vectorOf(previous, basis);
        float[] b = vectorOf(current, basis);
        if (a == null || b == null) {
            return Double.NaN;
        }
        return previous == current ? 0 : 1 - Vectors.cos(a, b);
    }

    public static String name(int state) {
        return switch (state) {
            case NULL -> "null";
            case QUESTION -> "question";
            default -> "mu" + state;
        };
    }
}
