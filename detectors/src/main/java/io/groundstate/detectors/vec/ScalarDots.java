package io.groundstate.detectors.vec;

/** One {@link Vectors#dot} per row: the reference, and the kernel wherever SIMD is not available. */
public final class ScalarDots implements DotKernel {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void dots(float[] q, float[][] rows, int from, int to, double[] out) {
        for (int j = from; j < to; j++) {
            out[j] = Vectors.dot(q, rows[j]);
        }
    }

    @Override
    public void dots(float[][] qs, float[][] rows, double[][] out) {
        for (int j = 0; j < rows.length; j++) { // row by row: each row is read from memory once for all queries
            for (int k = 0; k < qs.length; k++) {
                out[k][j] = Vectors.dot(qs[k], rows[j]);
            }
        }
    }
}
