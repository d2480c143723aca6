package io.groundstate.bench;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.vec.Vectors;
import java.util.List;
import java.util.Locale;

/**
 * The fake encoder of the streaming benchmark: stemmed words hashed into 384 dimensions, microseconds per text,
 * so that what is left is the cost of Kafka and the Java detectors. Its scores mean little.
 */
public final class HashingEncoder implements Encoder {
    private static final int DIMENSION = 384;

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
            String text = texts.get(i).toLowerCase(Locale.ROOT);
            int n = text.length();
            for (int at = 0; at < n; ) {
                int from = at;
                while (at < n && isWordChar(text.codePointAt(at))) {
                    at += Character.charCount(text.codePointAt(at));
                }
                if (at > from) {
                    v[Math.floorMod(Lexicon.stem(text.substring(from, at)).hashCode(), DIMENSION - 1) + 1] += 1;
                } else {
                    at += Character.charCount(text.codePointAt(at));
                }
            }
            out[i] = Vectors.normalize(v);
        }
        return out;
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
