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
        for (int k = 0; k < qs.length; k++) {
            dots(qs[k], rows, 0, rows.length, out[k]);
        }
    }
}
