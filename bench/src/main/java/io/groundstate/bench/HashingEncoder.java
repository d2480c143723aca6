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
    /** Low bits of a memo slot: the dimension (below 512). */
    private static final long DIMENSION_BITS = 0x1FF;
    private static final int MAX_PROBES = 8;
    private static final int MEMO_SLOTS = 1 << 20;
    private static final boolean[] ASCII_WORD = new boolean[0x80];

    static {
        for (int c = 0; c < 0x80; c++) {
            ASCII_WORD[c] = isWordChar(c);
        }
    }

    /** Read and written by the stream threads and the prefetch thread at once (see {@link #dimensionOf}). */
    private final long[] memo = new long[MEMO_SLOTS];

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
            int at = 0;
            while (at < n) {
                // A word's chars are hashed as they are scanned, so a memoised word costs no substring.
                int from = at;
                long hash = 0xcbf29ce484222325L;
                while (at < n) {
                    char c = text.charAt(at);
                    int width = c < 0x80 ? (ASCII_WORD[c] ? 1 : 0) : wordCharWidth(text, at);
                    if (width == 0) {
                        break;
                    }
                    for (int k = 0; k < width; k++) {
                        hash = (hash ^ text.charAt(at + k)) * 0x100000001b3L;
                    }
                    at += width;
                }
                if (at > from) {
                    v[dimensionOf(text, from, at, hash)] += 1;
                } else {
                    at += Character.charCount(text.codePointAt(at));
                }
            }
            out[i] = Vectors.normalize(v);
        }
        return out;
    }

    /** The chars of the word character at {@code at} (1 or 2), or 0 when it is not one. */
    private static int wordCharWidth(String text, int at) {
        int cp = text.codePointAt(at);
        return isWordChar(cp) ? Character.charCount(cp) : 0;
    }

    /**
     * The dimension of a word's stem, memoised under the word's 64-bit hash (its own chars, as written): a
     * sentence's perturbed copies repeat all its words but one, and stemming them again, or cutting them out to look
     * them up, was most of this encoder's time (profiled). A slot holds hash and dimension in one long, so threads
     * sharing the table never read half an entry; a collision of 55 bits would only give a word another dimension.
     */
    private int dimensionOf(String text, int from, int to, long hash) {
        long tag = hash & ~DIMENSION_BITS;
        int slot = (int) (hash ^ (hash >>> 29)) & (MEMO_SLOTS - 1);
        int free = -1;
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            int at = (slot + probe) & (MEMO_SLOTS - 1);
            long entry = memo[at];
            if (entry == 0) {
                free = at;
                break;
            }
            if ((entry & ~DIMENSION_BITS) == tag) {
                return (int) (entry & DIMENSION_BITS);
            }
        }
        String word = text.substring(from, to);
        int d = Math.floorMod(Lexicon.stem(word.toLowerCase(Locale.ROOT)).hashCode(), DIMENSION - 1) + 1;
        if (free >= 0 && tag != 0) {
            memo[free] = tag | d; // full probes: not memoised, computed each time
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
