package io.groundstate.detectors.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.encoder.onnx.OnnxEncoder;
import io.groundstate.detectors.vec.Vectors;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encoder parity (DESIGN.md habit 9): reference components of real model outputs are pinned, so a
 * change of tokenizer, pooling or runtime that alters vectors cannot pass unnoticed.
 */
class OnnxEncoderTest {
    static final List<String> TEXTS = List.of("The cat sits on the mat.", "Paris is the capital of France.",
            "A man is playing a guitar.");
    // Components 0, 1, 2 and 383 of each text's vector, recorded from onnxruntime 1.28.0 on CPU (the int8
    // models one text per run, as they always run).
    static final float[][] MINILM = {
        {0.13417715f, -0.032900296f, -0.02480371f, 0.060121827f},
        {0.10070478f, 0.037152886f, 0.028225534f, -0.009531561f},
        {0.02166411f, -0.00486419f, -0.009649081f, -0.01865472f}};
    static final float[][] MINILM_INT8 = {
        {0.12298536f, -0.018111562f, -0.020117674f, 0.06269629f},
        {0.10177713f, 0.04117652f, 0.021619305f, -0.007118414f},
        {0.016918175f, -0.0028997844f, -0.022520334f, -0.01715753f}};
    static final float[][] BGE = {
        {0.03830485f, -0.019150913f, 0.0123381745f, 0.08484578f},
        {-0.003750585f, -0.006168755f, 0.006541597f, 0.025245225f},
        {-0.020747853f, 0.03420623f, 0.04848749f, 0.0048923735f}};

    static OnnxEncoder minilm;

    @BeforeAll
    static void open() {
        minilm = OnnxEncoder.open(EncoderSpec.of("all-minilm-l6-v2", "cpu", 4));
        assertEquals(4, minilm.batchSize(), "fp32 MiniLM is batch-invariant, so it batches");
    }

    @AfterAll
    static void close() {
        minilm.close();
    }

    static void assertPinned(float[][] expected, float[][] got) {
        for (int i = 0; i < expected.length; i++) {
            float[] v = got[i];
            float[] pinned = {v[0], v[1], v[2], v[383]};
            assertArrayEquals(expected[i], pinned, 2e-5f, "text " + i);
            assertEquals(1.0, Vectors.norm(v), 1e-5);
        }
    }

    @Test
    void miniLmMatchesItsReferenceVectors() {
        assertEquals("all-minilm-l6-v2/mean", minilm.id());
        assertEquals(384, minilm.dimension());
        assertPinned(MINILM, minilm.embed(TEXTS));
    }

    @Test
    void theDefaultInt8MiniLmMatchesItsReferenceVectorsAndStaysCloseToFp32() {
        try (OnnxEncoder q = OnnxEncoder.open(EncoderSpec.of(EncoderSpec.DEFAULT_MODEL, "cpu", 4))) {
            assertEquals("all-minilm-l6-v2-q/mean", q.id());
            assertEquals(1, q.batchSize(), "dynamic quantisation makes vectors batch-dependent: one text per run");
            float[][] got = q.embed(TEXTS);
            List<String> mixed = new ArrayList<>(TEXTS);
            mixed.add(0, "A much longer sentence that would force the other texts in its batch to be padded.");
            float[][] again = q.embed(mixed);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(got[i], again[i + 1], "the same vector whatever else is embedded with it");
            }
            assertPinned(MINILM_INT8, got);
            float[][] fp32 = minilm.embed(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertTrue(Vectors.cos(got[i], fp32[i]) > 0.97, "int8 stays near fp32 for " + TEXTS.get(i));
            }
        }
    }

    @Test
    void occlusionLeavesATokenOutOfThePoolAndMovesTowardsTheTextWithoutIt() {
        String text = "Café owners in Zürich paid 4.2 million francs for the new building in 2019.";
        List<int[]> spans = new ArrayList<>();
        for (String w : List.of("Zürich", "4.2", "francs", "2019")) {
            spans.add(new int[] {text.indexOf(w), text.indexOf(w) + w.length()});
        }
        spans.add(new int[] {text.indexOf(' '), text.indexOf(' ') + 1}); // whitespace: no token to leave out
        float[][] occluded = minilm.embedWithout(text, spans);
        Encoder reembedding = new Encoder() {
            @Override
            public String id() {
                return minilm.id();
            }

            @Override
            public int dimension() {
                return minilm.dimension();
            }

            @Override
            public float[][] embed(List<String> texts) {
                return minilm.embed(texts);
            }
        };
        float[][] exact = reembedding.embedWithout(text, spans);
        assertArrayEquals(minilm.embed(List.of(text))[0], occluded[0], "the first vector is the text's own");
        for (int k = 1; k <= 4; k++) {
            assertTrue(Vectors.cos(occluded[k], occluded[0]) < 0.9999, "span " + k + " changed the vector");
            assertTrue(Vectors.cos(occluded[k], exact[k]) > Vectors.cos(occluded[0], exact[k]),
                    "span " + k + ": occlusion moves towards the text without the span");
        }
        assertArrayEquals(occluded[0], occluded[5], "a span that covers no token leaves the vector as it is");
    }

    @Test
    void bgeSmallWithClsPoolingMatchesItsReferenceVectors() {
        try (OnnxEncoder bge = OnnxEncoder.open(EncoderSpec.of("bge-small-en-v1.5-q", "cpu", 8))) {
            assertEquals("bge-small-en-v1.5-q/cls", bge.id());
            assertPinned(BGE, bge.embed(TEXTS));
        }
    }

    /** Exactly, not nearly: replay batches across requests and must write the same bytes whatever the batch. */
    @Test
    void batchingAndPaddingDoNotChangeVectors() {
        List<String> mixed = new ArrayList<>(TEXTS);
        mixed.add("A much longer sentence that forces the other texts in its batch to be padded with many tokens.");
        float[][] together = minilm.embed(mixed);
        for (int i = 0; i < mixed.size(); i++) {
            float[] alone = minilm.embed(List.of(mixed.get(i)))[0];
            assertArrayEquals(alone, together[i], mixed.get(i));
        }
    }

    @Test
    void meaningIsCloserThanUnrelatedText() {
        float[][] v = minilm.embed(List.of("The restaurant offers outdoor seating.", "You can eat outside on the patio.",
                "Quarterly revenue fell by four percent."));
        assertTrue(Vectors.cos(v[0], v[1]) > Vectors.cos(v[0], v[2]) + 0.2);
    }

    @Test
    void textsLongerThanTheModelLimitAreTruncatedNotRejected() {
        float[] v = minilm.embed(List.of("word ".repeat(5000)))[0];
        assertEquals(1.0, Vectors.norm(v), 1e-5);
    }

    @Test
    void anyOnnxModelLoadsByPathWithItsTokenizerBeside(@TempDir Path dir) throws Exception {
        for (String name : List.of("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json")) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
                Files.copy(in, dir.resolve(name.endsWith(".json") ? "tokenizer.json" : "custom.onnx"));
            }
        }
        try (OnnxEncoder custom = OnnxEncoder.open(EncoderSpec.of(dir.resolve("custom.onnx").toString(), "cpu", 4))) {
            assertEquals("custom/mean", custom.id());
            float[][] a = custom.embed(TEXTS);
            float[][] b = minilm.embed(TEXTS);
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(b[i], a[i], 1e-6f);
            }
        }
    }

    @Test
    void cudaFallsBackToCpuWhereThereIsNoGpu() {
        // On a CUDA machine with the gpu profile this opens on the GPU; here it must fall back, not fail.
        try (OnnxEncoder e = OnnxEncoder.open(EncoderSpec.of("all-minilm-l6-v2", "cuda:0", 4))) {
            assertEquals(System.getenv().getOrDefault("GROUNDSTATE_EXPECT_DEVICE", "cpu"), e.device());
            assertPinned(MINILM, e.embed(TEXTS));
        }
    }

    @Test
    void badSpecsAreClearErrors() {
        assertEquals("device must be auto, cpu, cuda or cuda:N, got 'tpu'",
                assertThrows(IllegalArgumentException.class, () -> EncoderSpec.of("all-minilm-l6-v2", "tpu", 4)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EncoderSpec.of("no-such-model", "cpu", 4))
                .getMessage().startsWith("unknown model 'no-such-model'"));
    }

    @Test
    void cachingEncoderReturnsTheSameVectorsAndCountsHits() {
        CachingEncoder c = new CachingEncoder(minilm, 10);
        float[][] first = c.embed(List.of("a b c", "d e f", "a b c"));
        float[][] second = c.embed(List.of("d e f"));
        assertArrayEquals(first[1], second[0]);
        assertArrayEquals(first[0], first[2]);
        assertEquals(2, c.misses());
        assertEquals(1, c.hits());
    }
}
