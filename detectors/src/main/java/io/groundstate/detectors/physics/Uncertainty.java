package io.groundstate.detectors.physics;

import java.util.List;

/**
 * Collapse from a broad superposition: low-probability sampled tokens and high entropy over the
 * top alternatives inside a sentence. Only available when the app sends logprobs.
 */
public final class Uncertainty {
    private Uncertainty() {
    }

    /** Per-delta numbers: the sampled token's logprob and the entropy of its top alternatives (NaN when absent). */
    public record TokenStats(int start, int end, double logprob, double entropy) {
    }

    public record Result(boolean present, double minLogprob, double meanEntropy) {
        public static final Result ABSENT = new Result(false, 0, 0);
    }

    public static double entropy(double[] logprobs) {
        double z = 0;
        for (double lp : logprobs) {
            z += Math.exp(lp);
        }
        if (z <= 0) {
            return Double.NaN;
        }
        double h = 0;
        for (double lp : logprobs) {
            double pr = Math.exp(lp) / z;
            if (pr > 0) {
                h -= pr * Math.log(pr);
            }
        }
        return h;
    }

    public static Result over(List<TokenStats> tokens, int start, int end) {
        double min = Double.POSITIVE_INFINITY;
        double entropySum = 0;
        int entropyCount = 0;
        boolean any = false;
        for (TokenStats t : tokens) {
            if (t.end() <= start || t.start() >= end) {
                continue;
            }
            if (!Double.isNaN(t.logprob())) {
                any = true;
                min = Math.min(min, t.logprob());
            }
            if (!Double.isNaN(t.entropy())) {
                entropySum += t.entropy();
                entropyCount++;
            }
        }
        if (!any) {
            return Result.ABSENT;
        }
        return new Result(true, min, entropyCount == 0 ? 0 : entropySum / entropyCount);
    }
}
