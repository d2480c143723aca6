package io.groundstate.bench;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.vec.Vectors;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fake encoder of the streaming benchmark: stemmed words hashed into 384 dimensions, microseconds per text,
 * so that what is left is the cost of Kafka and the Java detectors. Its scores mean little.
 */
public final class HashingEncoder implements Encoder {
    private static final int DIMENSION = 384;
    private static final int MAX_MEMOISED = 200_000;
    /** Called from the stream threads and the prefetch thread at once. */
    private final Map<String, Integer> dimensions = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "hashing/bench";
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] v = new float[DIMENSION];
            v[0] = 0.05f; // never a zero vector
            String text = texts.get(i);
            int n = text.length();
            for (int at = 0; at < n; ) {
                int from = at;
                while (at < n && isWordChar(text.codePointAt(at))) {
                    at += Character.charCount(text.codePointAt(at));
                }
                if (at > from) {
                    v[dimensionOf(text.substring(from, at))] += 1;
                } else {
                    at += Character.charCount(text.codePointAt(at));
                }
            }
            out[i] = Vectors.normalize(v);
        }
        return out;
    }

    /**
     * The dimension of a word's stem. Memoised: a sentence's perturbed copies repeat all its words but one, and
     * lower-casing and stemming them again was half of this encoder's time on the stream thread (profiled).
     */
    private int dimensionOf(String word) {
        Integer d = dimensions.get(word);
        if (d == null) {
            d = Math.floorMod(Lexicon.stem(word.toLowerCase(Locale.ROOT)).hashCode(), DIMENSION - 1) + 1;
            if (dimensions.size() >= MAX_MEMOISED) {
                dimensions.clear(); // bounded; a benchmark's vocabulary fits many times over
            }
            dimensions.put(word, d);
        }
        return d;
    }

    /**
     * A letter or a number ({@code \p{L}} or {@code \p{N}}): words are runs of these, found by hand because a
     * regex split was a twentieth of the topology's stream thread in the streaming benchmark.
     */
    static boolean isWordChar(int cp) {
        if (Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
