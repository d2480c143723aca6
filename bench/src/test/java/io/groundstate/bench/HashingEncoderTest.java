package io.groundstate.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.vec.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HashingEncoderTest {
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    /** The hand-written word split hashes the same words as splitting on {@code [^\p{L}\p{N}]+}. */
    @Test
    void hashesTheWordsThatTheRegexSplitFinds() {
        String[] pieces = {"a", "Ünï", "ß", "\uD835\uDC1A", "\uD800", "\u0301", "42", "\u0663", "\u2164", "\u00BD", ".",
            ",", "'", " ", "\n", "-", "Words", "running"};
        Random random = new Random(11);
        List<String> texts = new ArrayList<>(List.of("", " ", "Hello, world 42!"));
        for (int t = 0; t < 5_000; t++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(10); i > 0; i--) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            texts.add(b.toString());
        }
        float[][] ours = new HashingEncoder().embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] v = new float[384];
            v[0] = 0.05f;
            for (String w : NON_WORD.split(texts.get(i).toLowerCase(Locale.ROOT))) {
                if (!w.isEmpty()) {
                    v[Math.floorMod(Lexicon.stem(w).hashCode(), 383) + 1] += 1;
                }
            }
            assertArrayEquals(Vectors.normalize(v), ours[i], texts.get(i));
        }
    }
}
