package io.groundstate.detectors.physics;

import io.groundstate.detectors.text.ContentToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Measurement in the reality basis, literally: the numbers, names and content words of a sentence
 * that have no counterpart in the context (or the question).
 */
public final class RealityBasis {
    private RealityBasis() {
    }

    public record Result(int content, int unsupportedNumbers, int unsupportedNames, int unsupportedWords,
                         List<ContentToken> unsupported) {
        public double ratio() {
            return content == 0 ? 0 : unsupported.size() / (double) content;
        }
    }

    public static Result check(List<ContentToken> tokens, Set<String> vocabulary) {
        List<ContentToken> unsupported = new ArrayList<>();
        int numbers = 0;
        int names = 0;
        int words = 0;
        for (ContentToken t : tokens) {
            if (supported(t, vocabulary)) {
                continue;
            }
            unsupported.add(t);
            switch (t.kind()) {
                case NUMBER -> numbers++;
                case NAME -> names++;
                default -> words++;
            }
        }
        return new Result(tokens.size(), numbers, names, words, unsupported);
    }

    private static boolean supported(ContentToken t, Set<String> vocabulary) {
        if (vocabulary.contains(t.norm())) {
            return true;
        }
        // Morphological neighbours ("cater" / "catering" stem apart): a shared 6-letter prefix counts.
        if (t.kind() != ContentToken.Kind.NUMBER && t.norm().length() >= 7) {
            String prefix = t.norm().substring(0, 6);
            for (String v : vocabulary) {
                if (v.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }
}
