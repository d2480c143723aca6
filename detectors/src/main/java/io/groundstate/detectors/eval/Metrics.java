package io.groundstate.detectors.eval;

import java.util.Arrays;

/** Precision, recall, F1 and AUROC. */
public final class Metrics {
    private Metrics() {
    }

    public record Prf(double precision, double recall, double f1) {
        public static Prf of(double tp, double predicted, double actual) {
            double p = predicted == 0 ? 0 : tp / predicted;
            double r = actual == 0 ? 0 : tp / actual;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            return new Prf(p, r, f);
        }
    }

    public static Prf binary(boolean[] predicted, boolean[] actual) {
        int tp = 0;
        int pp = 0;
        int ap = 0;
        for (int i = 0; i < predicted.length; i++) {
            tp += predicted[i] && actual[i] ? 1 : 0;
            pp += predicted[i] ? 1 : 0;
            ap += actual[i] ? 1 : 0;
        }
        return Prf.of(tp, pp, ap);
    }

    /** Area under the ROC curve by the rank-sum statistic, ties counted half; NaN when a class is absent. */
    public static double auroc(double[] score, boolean[] actual) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                rank[order[k]] = r;
            }
            i = j + 1;
        }
        double pos = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (actual[i]) {
                pos++;
                sum += rank[i];
            }
        }
        double neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (sum - pos * (pos + 1) / 2) / (pos * neg);
    }

    /** Characters covered by [start, end) intervals. */
    public static boolean[] cover(int length, int[][] intervals) {
        boolean[] c = new boolean[length];
        for (int[] iv : intervals) {
            for (int k = Math.max(0, iv[0]); k < Math.min(length, iv[1]); k++) {
                c[k] = true;
            }
        }
        return c;
    }
}
