package io.groundstate.detectors.physics;

import io.groundstate.detectors.vec.Vectors;

/**
 * Amplitudes a_j = cos(s, c_j), grounding energy E = 1 - max a_j (= half the squared distance to
 * the nearest state on the unit sphere), the margin between the two best states and the entropy
 * of the occupation p_j = softmax(beta a_j).
 */
public final class Grounding {
    private Grounding() {
    }

    public record Result(double energy, double margin, double entropy, int nearest, double nearestSimilarity) {
    }

    public static Result score(float[] s, Basis basis, double beta) {
        float[][] cs = basis.vectors();
        double best = -2;
        double second = -2;
        int nearest = -1;
        double[] a = Vectors.dots(s, cs);
        for (int j = 0; j < cs.length; j++) {
            a[j] = Vectors.clampCos(a[j]);
            if (a[j] > best) {
                second = best;
                best = a[j];
                nearest = j;
            } else if (a[j] > second) {
                second = a[j];
            }
        }
        double z = 0;
        for (double x : a) {
            z += Math.exp(beta * (x - best));
        }
        double h = 0;
        for (double x : a) {
            double p = Math.exp(beta * (x - best)) / z;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        double normalised = cs.length > 1 ? h / Math.log(cs.length) : 0;
        double margin = cs.length > 1 ? best - second : 1;
        return new Result(1 - best, margin, normalised, nearest, best);
    }
}
