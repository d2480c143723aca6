package io.groundstate.bench;

import java.util.Arrays;

/** Order statistics of a benchmark's samples. */
final class Stats {
    private Stats() {
    }

    static double median(double[] xs) {
        return quantile(xs, 0.5);
    }

    /** Linear interpolation between the closest ranks (the R-7 / NumPy default). */
    static double quantile(double[] xs, double q) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }
}
