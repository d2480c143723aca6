package io.groundstate.detectors.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.encoder.onnx.ModelFiles;
import io.groundstate.detectors.encoder.onnx.OnnxEncoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class WordTableTest {

    /** The table the build computed holds exactly what the model gives each word alone, as soft support asks. */
    @Test
    void theBuiltTableHoldsTheModelsOwnVectorsForItsWords() {
        EncoderSpec spec = EncoderSpec.of(EncoderSpec.DEFAULT_MODEL, "cpu", 8);
        WordTable table = ModelFiles.wordTable(spec).orElseThrow(() -> new AssertionError(
                "no word table for " + spec.id() + " on the class path: the detectors build computes it"));
        assertTrue(table.size() > 15_000, "whole-word vocabulary of an English WordPiece model: " + table.size());
        assertTrue(table.contains("capital") && table.contains("guitar"));
        assertFalse(table.contains("the"), "stopwords are never asked for");
        assertFalse(table.contains("groundstate"), "a word the vocabulary splits into pieces is not in it");
        List<String> sample = List.of("capital", "guitar", "revenue", "hospital", "quickly", "zebra", "vaccine",
                "senator", "mortgage", "paris");
        try (OnnxEncoder model = OnnxEncoder.open(spec)) {
            float[][] live = model.embed(sample);
            for (int i = 0; i < sample.size(); i++) {
                assertArrayEquals(live[i], table.vector(sample.get(i)), sample.get(i));
            }
        }
        assertTrue(ModelFiles.wordTable(spec.withPooling(Pooling.CLS)).isEmpty(), "another pooling is another model");
        assertTrue(ModelFiles.wordTable(EncoderSpec.of("all-minilm-l6-v2", "cpu", 8)).isEmpty(),
                "only the default model has a table");
    }

    @Test
    void aTableReadsBackAsWrittenAndRejectsForeignBytes() throws IOException {
        byte[] digest = WordTable.digest(new byte[] {1, 2, 3});
        WordTable table = new WordTable("m/mean", digest, List.of("alpha", "beta"),
                new float[][] {{1f, 0f, -0.5f}, {0.25f, Float.MIN_VALUE, 3f}});
        WordTable back = WordTable.fromBytes(table.toBytes());
        assertArrayEquals(new float[] {0.25f, Float.MIN_VALUE, 3f}, back.vector("beta"));
        assertArrayEquals(new float[] {1f, 0f, -0.5f}, back.vector("alpha"));
        assertNull(back.vector("gamma"));
        assertTrue(back.belongsTo("m/mean", digest));
        assertFalse(back.belongsTo("m/cls", digest));
        assertFalse(back.belongsTo("m/mean", WordTable.digest(new byte[] {1, 2, 4})));

        assertSame(back.vector("alpha"), back.vector("alpha"), "one array per word, not a copy per lookup");

        byte[] bytes = table.toBytes();
        assertThrows(IOException.class, () -> WordTable.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)));
        byte[] foreign = bytes.clone();
        foreign[0] ^= 1;
        assertThrows(IOException.class, () -> WordTable.fromBytes(foreign));
        assertThrows(IllegalArgumentException.class,
                () -> new WordTable("m/mean", digest, List.of("a", "a"), new float[][] {{1f}, {2f}}));
    }

    @Test
    void tableWordsAreServedAndOnlyTheRestReachTheModel() {
        WordTable table = new WordTable("fake/mean", new byte[32], List.of("cat", "dog"),
                new float[][] {{1f, 0f}, {0f, 1f}});
        List<List<String>> calls = new ArrayList<>();
        Encoder model = new Encoder() {
            @Override
            public String id() {
                return "fake/mean";
            }

            @Override
            public int dimension() {
                return 2;
            }

            @Override
            public float[][] embed(List<String> texts) {
                calls.add(List.copyOf(texts));
                return texts.stream().map(t -> new float[] {t.length(), -1f}).toArray(float[][]::new);
            }

            @Override
            public void prefetch(Supplier<List<String>> texts) {
                calls.add(texts.get());
            }
        };
        WordTableEncoder encoder = new WordTableEncoder(model, table);

        float[][] out = encoder.embed(List.of("mouse", "cat", "a horse", "dog"));
        assertArrayEquals(new float[] {5f, -1f}, out[0]);
        assertArrayEquals(new float[] {1f, 0f}, out[1]);
        assertArrayEquals(new float[] {7f, -1f}, out[2]);
        assertArrayEquals(new float[] {0f, 1f}, out[3]);
        assertEquals(List.of(List.of("mouse", "a horse")), calls, "one call, only the texts the table lacks");
        assertEquals(2, encoder.served());

        calls.clear();
        encoder.embed(List.of("dog", "cat"));
        assertTrue(calls.isEmpty(), "all from the table: no model call");
        encoder.prefetch(() -> List.of("cat", "lion"));
        assertEquals(List.of(List.of("lion")), calls);

        WordTable other = new WordTable("other/mean", new byte[32], List.of("cat"), new float[][] {{1f, 0f}});
        assertThrows(IllegalArgumentException.class, () -> new WordTableEncoder(model, other));
    }
}
