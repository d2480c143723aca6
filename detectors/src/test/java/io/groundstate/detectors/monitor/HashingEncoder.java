package io.groundstate.detectors.monitor;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.vec.Vectors;
import java.util.List;
import java.util.Locale;

/** A unit-test fake: bag of stemmed words hashed into 128 dimensions. Counts the texts it embeds. */
class HashingEncoder implements Encoder {
    int embedded;

    @Override
    public String id() {
        return "hashing/test";
    }

    @Override
    public int dimension() {
        return 128;
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] v = new float[128];
            v[0] = 0.05f; // never a zero vector
            for (String w : texts.get(i).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                if (!w.isEmpty()) {
                    v[Math.floorMod(Lexicon.stem(w).hashCode(), 127) + 1] += 1;
                }
            }
            out[i] = Vectors.normalize(v);
            embedded++;
        }
        return out;
    }
}
