package io.groundstate.bench;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.vec.Vectors;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The fake encoder of the streaming benchmark: stemmed words hashed into 384 dimensions, microseconds per text,
 * so that what is left is the cost of Kafka and the Java detectors. Its scores mean little.
 */
public final class HashingEncoder implements Encoder {
    private static final int DIMENSION = 384;
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

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
            for (String w : NON_WORD.split(texts.get(i).toLowerCase(Locale.ROOT))) {
                if (!w.isEmpty()) {
                    v[Math.floorMod(Lexicon.stem(w).hashCode(), DIMENSION - 1) + 1] += 1;
                }
            }
            out[i] = Vectors.normalize(v);
        }
        return out;
    }
}
