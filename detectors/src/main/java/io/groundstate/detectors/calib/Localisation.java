package io.groundstate.detectors.calib;

import io.groundstate.detectors.text.Attribution;
import java.util.ArrayList;
import java.util.List;

/**
 * Token evidence and the spans it localises. A span is a run of flagged content tokens that are
 * neighbours in the sentence, with the words between them ("catering services", "90 million").
 */
public final class Localisation {
    private Localisation() {
    }

    /** One content token of a sentence: offsets in the response, and its features in the column order of TokenFeature. */
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
            TokenFeature.SENTENCE_LOGIT.set(f, logit(sentenceProbability));
            rows.add(f);
        }
        return rows;
    }

    /** How far a localised span reaches: the run of flagged tokens, its clause, or its sentence. */
    public enum Granularity { TOKENS, CLAUSE, SENTENCE }

    private static final String CLAUSE_DELIMITERS = ",;:()\u2014";

    /**
     * Spans at the given granularity within the sentence [sentenceStart, sentenceEnd); a token of a
     * structured record is flagged at {@code recordThreshold}, one of prose at {@code proseThreshold}.
     */
    public static List<Attribution> spans(String response, List<TokenEvidence> tokens, double[] probabilities,
                                          double recordThreshold, double proseThreshold, Granularity granularity,
                                          int sentenceStart, int sentenceEnd) {
        boolean[] flagged = new boolean[tokens.size()];
        for (int i = 0; i < flagged.length; i++) {
            boolean record = TokenFeature.STRUCTURED_CONTEXT.of(tokens.get(i).features()) > 0;
            flagged[i] = probabilities[i] >= (record ? recordThreshold : proseThreshold);
        }
        List<Attribution> runs = runs(response, tokens, flagged);
        if (granularity == Granularity.TOKENS || runs.isEmpty()) {
            return runs;
        }
        if (granularity == Granularity.SENTENCE) {
            return List.of(new Attribution(response.substring(sentenceStart, sentenceEnd), sentenceStart, sentenceEnd));
        }
        List<Attribution> out = new ArrayList<>();
        for (Attribution a : runs) {
            int s = a.start();
            while (s > sentenceStart && CLAUSE_DELIMITERS.indexOf(response.charAt(s - 1)) < 0) {
                s--;
            }
            while (s < a.start() && Character.isWhitespace(response.charAt(s))) {
                s++;
            }
            int e = a.end();
            while (e < sentenceEnd && CLAUSE_DELIMITERS.indexOf(response.charAt(e)) < 0) {
                e++;
            }
            if (!out.isEmpty() && out.get(out.size() - 1).end() >= s) {
                Attribution last = out.remove(out.size() - 1);
                s = last.start();
            }
            out.add(new Attribution(response.substring(s, e), s, e));
        }
        return out;
    }

    /** Spans of consecutive tokens whose probability reaches the threshold, in response offsets. */
    public static List<Attribution> spans(String response, List<TokenEvidence> tokens, double[] probabilities,
                                          double threshold) {
        boolean[] flagged = new boolean[tokens.size()];
        for (int i = 0; i < flagged.length; i++) {
            flagged[i] = probabilities[i] >= threshold;
        }
        return runs(response, tokens, flagged);
    }

    private static List<Attribution> runs(String response, List<TokenEvidence> tokens, boolean[] flagged) {
        List<Attribution> out = new ArrayList<>();
        int start = -1;
        int end = -1;
        for (int i = 0; i < tokens.size(); i++) {
            TokenEvidence t = tokens.get(i);
            if (flagged[i]) {
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
