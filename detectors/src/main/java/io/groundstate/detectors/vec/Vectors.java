package io.groundstate.detectors.vec;

import java.util.Optional;

/** Vector maths on the unit sphere. */
public final class Vectors {
    private static final DotKernel KERNEL = Boolean.parseBoolean(System.getProperty("groundstate.simd", "true"))
            ? simdKernel().orElseGet(ScalarDots::new) : new ScalarDots();

    private Vectors() {
    }

    /**
     * The SIMD kernel, where the JVM was started with {@code --add-modules jdk.incubator.vector} (bin/groundstate
     * and the images are) and the hardware has 256-bit vectors. It gives the scalar kernel's bits, faster; the
     * detectors use it unless -Dgroundstate.simd=false.
     */
    public static Optional<DotKernel> simdKernel() {
        if (vectorModuleLoaded()) {
            try {
                if (SimdDots.worthwhile()) {
                    return Optional.of(new SimdDots());
                }
            } catch (LinkageError e) {
                // the module is there but unusable: the scalar kernel gives the same results
            }
        }
        return Optional.empty();
    }

    /** Whether this JVM was started with the module jdk.incubator.vector, which the SIMD kernel needs. */
    public static boolean vectorModuleLoaded() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The dot-product kernel in use: "simd" or "scalar". */
    public static String kernel() {
        return KERNEL.name();
    }

    /** dot(q, rows[j]) for every row, to the bit of {@link #dot}: the detectors' hot loop (profiled). */
    public static double[] dots(float[] q, float[][] rows) {
        double[] out = new double[rows.length];
        KERNEL.dots(q, rows, 0, rows.length, out);
        return out;
    }

    /** out[k][j] = dot(qs[k], rows[j]), to the bit of {@link #dot}, with one pass over the rows per four queries. */
    public static double[][] dots(float[][] qs, float[][] rows) {
        double[][] out = new double[qs.length][rows.length];
        KERNEL.dots(qs, rows, out);
        return out;
    }

    /** dot(q, rows[j]) into out[j] for j in [from, to). */
    public static void dots(float[] q, float[][] rows, int from, int to, double[] out) {
        KERNEL.dots(q, rows, from, to, out);
    }

    /** A dot product of unit vectors as a cosine: clamped to [-1, 1] against rounding. */
    public static double clampCos(double dot) {
        return Math.max(-1.0, Math.min(1.0, dot));
    }

    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
        }
        // Four partial sums: one chain of dependent adds is latency-bound (profiled: 40% of the detectors' time).
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (int n = a.length - 3; i < n; i += 4) {
            s0 += (double) a[i] * b[i];
            s1 += (double) a[i + 1] * b[i + 1];
            s2 += (double) a[i + 2] * b[i + 2];
            s3 += (double) a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += (double) a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** A unit copy of a; throws for a zero or non-finite vector. */
    public static float[] normalize(float[] a) {
        double n = norm(a);
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("cannot normalise a zero or non-finite vector");
        }
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (a[i] / n);
        }
        return out;
    }

    /** Cosine of two unit vectors, clamped to [-1, 1]. */
    public static double cos(float[] a, float[] b) {
        return clampCos(dot(a, b));
    }

    /** Angle in radians between two unit vectors: a metric, unlike 1 - cos. */
    public static double angle(float[] a, float[] b) {
        return Math.acos(cos(a, b));
    }

    /** Weighted mean, normalised; null when all weights are zero. */
    public static float[] weightedCentroid(float[][] vs, double[] w) {
        if (vs.length == 0) {
            return null;
        }
        double[] acc = new double[vs[0].length];
        double total = 0;
        for (int i = 0; i < vs.length; i++) {
            total += w[i];
            for (int d = 0; d < acc.length; d++) {
                acc[d] += w[i] * vs[i][d];
            }
        }
        if (total <= 0) {
            return null;
        }
        float[] out = new float[acc.length];
        for (int d = 0; d < acc.length; d++) {
            out[d] = (float) acc[d];
        }
        return norm(out) > 0 ? normalize(out) : null;
    }

    public static boolean allFinite(float[] a) {
        for (float x : a) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
