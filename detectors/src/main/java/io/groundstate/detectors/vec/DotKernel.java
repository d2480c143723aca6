package io.groundstate.detectors.vec;

/**
 * Dot products of one vector with a run of rows: {@code out[j] = Vectors.dot(q, rows[j])} for every j in
 * [from, to), to the last bit. Implementations differ in speed only.
 */
public interface DotKernel {
    String name();

    void dots(float[] q, float[][] rows, int from, int to, double[] out);

    /** {@code out[k][j] = Vectors.dot(qs[k], rows[j])}: several queries in one pass over the rows. */
    void dots(float[][] qs, float[][] rows, double[][] out);
}
