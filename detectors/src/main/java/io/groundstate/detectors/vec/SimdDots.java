package io.groundstate.detectors.vec;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Vectors#dot} for four rows at a time with the incubating Vector API, bit for bit: the four lanes of one
 * double vector are the scalar code's four partial sums, each product of two floats is exact in double (so a
 * fused multiply-add rounds exactly where the scalar add does), and the lanes are combined in the scalar order.
 * Four rows in flight hide the latency of each row's chain of adds, and the query is widened to double once.
 * Only loaded where the module jdk.incubator.vector is present (see {@link Vectors}).
 */
final class SimdDots implements DotKernel {
    private static final VectorSpecies<Float> FOUR_FLOATS = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> FOUR_DOUBLES = DoubleVector.SPECIES_256;

    /** Whether the hardware has 256-bit vectors; below that the API would emulate them, far slower than scalar. */
    static boolean worthwhile() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public void dots(float[] q, float[][] rows, int from, int to, double[] out) {
        int d = q.length;
        int body = d & ~3; // what Vectors.dot covers four at a time; the rest goes into its first partial sum
        double[] wide = widened(q, d, body);
        int j = from;
        for (; j + 3 < to; j += 4) {
            float[] r0 = checked(q, rows[j]);
            float[] r1 = checked(q, rows[j + 1]);
            float[] r2 = checked(q, rows[j + 2]);
            float[] r3 = checked(q, rows[j + 3]);
            DoubleVector s0 = DoubleVector.zero(FOUR_DOUBLES);
            DoubleVector s1 = s0;
            DoubleVector s2 = s0;
            DoubleVector s3 = s0;
            for (int i = 0; i < body; i += 4) {
                DoubleVector x = DoubleVector.fromArray(FOUR_DOUBLES, wide, i);
                s0 = x.fma(widen(r0, i), s0);
                s1 = x.fma(widen(r1, i), s1);
                s2 = x.fma(widen(r2, i), s2);
                s3 = x.fma(widen(r3, i), s3);
            }
            out[j] = finish(s0, q, r0, body);
            out[j + 1] = finish(s1, q, r1, body);
            out[j + 2] = finish(s2, q, r2, body);
            out[j + 3] = finish(s3, q, r3, body);
        }
        for (; j < to; j++) {
            out[j] = Vectors.dot(q, rows[j]);
        }
    }

    @Override
    public void dots(float[][] qs, float[][] rows, double[][] out) {
        int k = 0;
        // Four queries against one row at a time: the rows (soft support's thousands of context words) are
        // read once per four queries instead of once per query.
        for (; k + 3 < qs.length; k += 4) {
            int d = qs[k].length;
            int body = d & ~3;
            double[] w0 = widened(qs[k], d, body);
            double[] w1 = widened(qs[k + 1], d, body);
            double[] w2 = widened(qs[k + 2], d, body);
            double[] w3 = widened(qs[k + 3], d, body);
            for (int j = 0; j < rows.length; j++) {
                float[] row = rows[j];
                if (row.length != d) {
                    throw new IllegalArgumentException("dimension mismatch: " + d + " vs " + row.length);
                }
                DoubleVector s0 = DoubleVector.zero(FOUR_DOUBLES);
                DoubleVector s1 = s0;
                DoubleVector s2 = s0;
                DoubleVector s3 = s0;
                for (int i = 0; i < body; i += 4) {
                    DoubleVector r = widen(row, i);
                    s0 = DoubleVector.fromArray(FOUR_DOUBLES, w0, i).fma(r, s0);
                    s1 = DoubleVector.fromArray(FOUR_DOUBLES, w1, i).fma(r, s1);
                    s2 = DoubleVector.fromArray(FOUR_DOUBLES, w2, i).fma(r, s2);
                    s3 = DoubleVector.fromArray(FOUR_DOUBLES, w3, i).fma(r, s3);
                }
                out[k][j] = finish(s0, qs[k], row, body);
                out[k + 1][j] = finish(s1, qs[k + 1], row, body);
                out[k + 2][j] = finish(s2, qs[k + 2], row, body);
                out[k + 3][j] = finish(s3, qs[k + 3], row, body);
            }
        }
        for (; k < qs.length; k++) {
            dots(qs[k], rows, 0, rows.length, out[k]);
        }
    }

    private static double[] widened(float[] q, int d, int body) {
        if (q.length != d) {
            throw new IllegalArgumentException("dimension mismatch: " + d + " vs " + q.length);
        }
        double[] wide = new double[body];
        for (int i = 0; i < body; i++) {
            wide[i] = q[i];
        }
        return wide;
    }

    private static float[] checked(float[] q, float[] row) {
        if (row.length != q.length) {
            throw new IllegalArgumentException("dimension mismatch: " + q.length + " vs " + row.length);
        }
        return row;
    }

    private static DoubleVector widen(float[] row, int i) {
        return (DoubleVector) FloatVector.fromArray(FOUR_FLOATS, row, i).convertShape(VectorOperators.F2D,
                FOUR_DOUBLES, 0);
    }

    private static double finish(DoubleVector sums, float[] q, float[] row, int body) {
        double s0 = sums.lane(0);
        for (int i = body; i < q.length; i++) {
            s0 += (double) q[i] * row[i];
        }
        return (s0 + sums.lane(1)) + (sums.lane(2) + sums.lane(3));
    }
}
