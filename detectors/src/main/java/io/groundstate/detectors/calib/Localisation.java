package io.groundstate.detectors.calib;

import io.groundstate.detectors.monitor.MonitorOutput.Attribution;
import java.util.ArrayList;
import java.util.List;

/**
 * Token evidence and the spans it localises. A span is a run of flagged content tokens that are
 * neighbours in the sentence, with the words between them ("catering services", "90 million").
 */
public final class Localisation {
    private Localisation() {
    }

    /** One content token of a sentence: offsets in the response, and its features in the order of TOKEN_NAMES. */
    public record TokenEvidence(String token, int start, int end, double[] features) {
    }

    public static double logit(double p) {
        double q = Math.min(1 - 1e-6, Math.max(1e-6, p));
        return Math.log(q / (1 - q));
    }

    /** The sentence's probability enters each token's features; set it once the sentence is scored. */
    public static List<double[]> withSentenceProbability(List<TokenEvidence> tokens, double sentenceProbability) {
        List<double[]> rows = new ArrayList<>(tokens.size());
        for (TokenEvidence t : tokens) {
            double[] f = t.features().clone();
            f[Features.TOKEN_SENTENCE_LOGIT] = logit(sentenceProbability);
            rows.add(f);
        }
        return rows;
    }

    /** Spans of consecutive tokens whose probability reaches the threshold, in response offsets. */
    public static List<Attribution> spans(String response, List<TokenEvidence> tokens, double[] probabilities,
                                          double threshold) {
        List<Attribution> out = new ArrayList<>();
        int start = -1;
        int end = -1;
        for (int i = 0; i < tokens.size(); i++) {
            TokenEvidence t = tokens.get(i);
            if (probabilities[i] >= threshold) {
                if (start < 0) {
                    start = t.start();
                }
                end = t.end();
            } else if (start >= 0) {
                out.add(new Attribution(response.substring(start, end), start, end));
                start = -1;
            }
        }
        if (start >= 0) {
            out.add(new Attribution(response.substring(start, end), start, end));
        }
        return out;
    }
}
