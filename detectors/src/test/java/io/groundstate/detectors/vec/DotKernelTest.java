package io.groundstate.detectors.vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DotKernelTest {
    private static final int[] DIMENSIONS = {1, 3, 4, 5, 7, 8, 383, 384, 385};
    private static final int[] ROWS = {0, 1, 3, 4, 5, 9};

    private static List<DotKernel> kernels() {
        List<DotKernel> ks = new ArrayList<>(List.of(new ScalarDots()));
        Vectors.simdKernel().ifPresent(ks::add);
        return ks;
    }

    private static float[] vector(Random r, int d) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            // unit-scale entries mostly, and now and then a huge or tiny one, where rounding differs most
            double scale = r.nextInt(20) == 0 ? Math.pow(10, r.nextInt(13) - 6) : 1;
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return r.nextBoolean() ? Vectors.normalize(v) : v;
    }

    private static float[][] rows(Random r, int n, int d) {
        float[][] rows = new float[n][];
        for (int j = 0; j < n; j++) {
            rows[j] = vector(r, d);
        }
        return rows;
    }

    @Test
    void theBuildRunsTestsWithTheVectorModuleSoTheSimdKernelIsTested() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "surefire's argLine adds jdk.incubator.vector, as bin/groundstate and the images do");
        assumeTrue(SimdDots.worthwhile(), "this CPU has no 256-bit vectors");
        assertEquals("simd", Vectors.kernel());
        assertTrue(Vectors.simdKernel().isPresent());
    }

    @Test
    void everyKernelGivesTheBitsOfTheScalarDotProductForOneQuery() {
        Random r = new Random(7);
        for (DotKernel k : kernels()) {
            for (int d : DIMENSIONS) {
                for (int n : ROWS) {
                    float[] q = vector(r, d);
                    float[][] rows = rows(r, n, d);
                    double[] out = new double[n];
                    k.dots(q, rows, 0, n, out);
                    for (int j = 0; j < n; j++) {
                        assertEquals(Double.doubleToRawLongBits(Vectors.dot(q, rows[j])),
                                Double.doubleToRawLongBits(out[j]), k.name() + " d=" + d + " n=" + n + " j=" + j);
                    }
                }
            }
        }
    }

    @Test
    void aRangeOfRowsIsWrittenAndNothingElse() {
        Random r = new Random(11);
        for (DotKernel k : kernels()) {
            float[] q = vector(r, 384);
            float[][] rows = rows(r, 13, 384);
            double[] out = new double[13];
            java.util.Arrays.fill(out, -7);
            k.dots(q, rows, 2, 11, out);
            for (int j = 0; j < 13; j++) {
                double expected = j >= 2 && j < 11 ? Vectors.dot(q, rows[j]) : -7;
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(out[j]),
                        k.name() + " j=" + j);
            }
        }
    }

    @Test
    void everyKernelGivesTheBitsOfTheScalarDotProductForManyQueries() {
        Random r = new Random(13);
        for (DotKernel k : kernels()) {
            for (int d : DIMENSIONS) {
                for (int queries = 0; queries <= 9; queries++) {
                    float[][] qs = rows(r, queries, d);
                    float[][] rows = rows(r, 6, d);
                    double[][] out = new double[queries][rows.length];
                    k.dots(qs, rows, out);
                    for (int q = 0; q < queries; q++) {
                        for (int j = 0; j < rows.length; j++) {
                            assertEquals(Double.doubleToRawLongBits(Vectors.dot(qs[q], rows[j])),
                                    Double.doubleToRawLongBits(out[q][j]),
                                    k.name() + " d=" + d + " q=" + q + " j=" + j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aRowOfAnotherDimensionIsRefused() {
        Random r = new Random(17);
        for (DotKernel k : kernels()) {
            float[][] rows = {vector(r, 8), vector(r, 8), vector(r, 8), vector(r, 9)};
            assertThrows(IllegalArgumentException.class, () -> k.dots(vector(r, 8), rows, 0, 4, new double[4]),
                    k.name());
            float[][] qs = {vector(r, 8), vector(r, 8), vector(r, 8), vector(r, 8)};
            assertThrows(IllegalArgumentException.class, () -> k.dots(qs, rows, new double[4][4]), k.name());
        }
    }
}
