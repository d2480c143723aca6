package io.groundstate.detectors.physics;

import io.groundstate.detectors.vec.Vectors;
import java.util.List;

/**
 * The reality basis of one request: context states, their clustering into discrete semantic
 * states, the question's state, the relevance-weighted centroid and the per-request zero point.
 */
public final class Basis {
    private final List<BasisState> states;
    private final float[][] vectors;
    private final int[] cluster;
    private final float[][] centroids;
    private final float[] question;
    private final float[] centroid;
    private final double zeroPoint;

    public Basis(List<BasisState> states, int[] cluster, float[][] centroids, float[] question, double zeroPoint) {
        if (states.isEmpty()) {
            throw new IllegalArgumentException("a basis needs at least one state");
        }
        this.states = List.copyOf(states);
        this.vectors = new float[states.size()][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = states.get(i).vector();
        }
        this.cluster = cluster;
        this.centroids = centroids;
        this.question = question;
        this.zeroPoint = zeroPoint;
        this.centroid = Vectors.weightedCentroid(vectors, relevanceWeights());
    }

    private Basis(Basis of, double zeroPoint) {
        this.states = of.states;
        this.vectors = of.vectors;
        this.cluster = of.cluster;
        this.centroids = of.centroids;
        this.question = of.question;
        this.centroid = of.centroid;
        this.zeroPoint = zeroPoint;
    }

    /** The same basis with another zero point, sharing everything else. */
    public Basis withZeroPoint(double zeroPoint) {
        return new Basis(this, zeroPoint);
    }

    /** Relevance of each state: its similarity to the question when there is one, else its retrieval rank. */
    private double[] relevanceWeights() {
        double[] w = new double[vectors.length];
        double[] toQuestion = question != null ? Vectors.dots(question, vectors) : null;
        for (int i = 0; i < w.length; i++) {
            w[i] = question != null
                    ? Math.exp(10 * Vectors.clampCos(toQuestion[i]))
                    : 1.0 / (1 + Math.max(0, states.get(i).rank()));
        }
        return w;
    }

    public List<BasisState> states() {
        return states;
    }

    public float[][] vectors() {
        return vectors;
    }

    public int[] cluster() {
        return cluster;
    }

    public float[][] centroids() {
        return centroids;
    }

    /** The question's vector, or null when the request had no prompt. */
    public float[] question() {
        return question;
    }

    public float[] centroid() {
        return centroid;
    }

    /** E0 for this request: the energy that near-copies of the context's own sentences have. */
    public double zeroPoint() {
        return zeroPoint;
    }

    /** E(v) = 1 - max_j cos(v, c_j) of each v, with one pass over the states per four vectors. */
    public double[] energies(float[][] vs) {
        double[][] dots = Vectors.dots(vs, vectors);
        double[] out = new double[vs.length];
        for (int k = 0; k < vs.length; k++) {
            double best = -1;
            for (double dot : dots[k]) {
                best = Math.max(best, Vectors.clampCos(dot));
            }
            out[k] = 1 - best;
        }
        return out;
    }
}
