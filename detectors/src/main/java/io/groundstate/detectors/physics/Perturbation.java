package io.groundstate.detectors.physics;

import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.SpanRemoval;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Text perturbation: remove one content token at a time and re-embed. Delta_i = E(s) - E(s without i);
 * a large positive Delta_i means token i pulls the sentence away from the context. Noise added in
 * embedding space would shrink every cosine alike and carry no information, so the text is perturbed.
 */
public final class Perturbation {
    private Perturbation() {
    }

    public record Result(double gain, double fragility, List<ContentToken> attributed, double[] deltas) {
        public static final Result NONE = new Result(0, 0, List.of(), new double[0]);
    }

    /** The tokens worth perturbing: numbers and names first, then lexically unsupported, then longer words. */
    public static List<ContentToken> candidates(List<ContentToken> tokens, List<ContentToken> unsupported, int max) {
        List<ContentToken> sorted = new ArrayList<>(tokens);
        sorted.sort(Comparator.comparingInt((ContentToken t) -> priority(t, unsupported))
                .thenComparing(Comparator.comparingInt((ContentToken t) -> t.surface().length()).reversed())
                .thenComparingInt(ContentToken::start));
        List<ContentToken> out = new ArrayList<>();
        for (ContentToken t : sorted) {
            if (out.size() >= max) {
                break;
            }
            if (out.stream().noneMatch(o -> o.norm().equals(t.norm()))) {
                out.add(t);
            }
        }
        out.sort(Comparator.comparingInt(ContentToken::start));
        return out;
    }

    private static int priority(ContentToken t, List<ContentToken> unsupported) {
        boolean unsup = unsupported.stream().anyMatch(u -> u.start() == t.start());
        if (unsup && t.kind() != ContentToken.Kind.WORD) {
            return 0;
        }
        if (unsup) {
            return 1;
        }
        return t.kind() == ContentToken.Kind.WORD ? 3 : 2;
    }

    /** The sentence with one token's characters removed, spaces tidied. */
    public static String without(String sentence, ContentToken t) {
        return SpanRemoval.without(sentence, t.start(), t.end());
    }

    public static Result result(double energy, double[] perturbedEnergies, List<ContentToken> tokens, int attributeTop) {
        if (tokens.isEmpty()) {
            return Result.NONE;
        }
        double[] d = new double[tokens.size()];
        double max = Double.NEGATIVE_INFINITY;
        double mean = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = energy - perturbedEnergies[i];
            max = Math.max(max, d[i]);
            mean += d[i];
        }
        mean /= d.length;
        double var = 0;
        for (double x : d) {
            var += (x - mean) * (x - mean);
        }
        double spread = Math.sqrt(var / d.length);
        Integer[] order = new Integer[d.length];
        for (int i = 0; i < d.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(d[b], d[a]));
        List<ContentToken> attributed = new ArrayList<>();
        for (int k = 0; k < Math.min(attributeTop, d.length); k++) {
            if (d[order[k]] > 0) {
                attributed.add(tokens.get(order[k]));
            }
        }
        return new Result(max, spread, attributed, d);
    }
}
