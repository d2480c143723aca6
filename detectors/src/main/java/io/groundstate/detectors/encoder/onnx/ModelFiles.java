package io.groundstate.detectors.encoder.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.WordTable;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An encoder's files: the model's bytes, its tokenizer and the built-in models' word tables. */
public final class ModelFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFiles.class);
    /** The built-in models' word tables, by model id, loaded once per JVM (see {@link #wordTable}). */
    private static final Map<String, Optional<WordTable>> WORD_TABLES = new ConcurrentHashMap<>();

    private ModelFiles() {
    }

    /**
     * The built-in model's {@link WordTable} (built with the project by {@link WordTableBuilder}), or empty: a model
     * from a file has none, and neither has one whose table was computed from other bytes or another pooling.
     */
    public static Optional<WordTable> wordTable(EncoderSpec spec) {
        if (spec.resource() == null) {
            return Optional.empty();
        }
        // Once per model and JVM: every encoder opened would otherwise re-read the model to check it and hold
        // its own 33 MB copy of the table.
        return WORD_TABLES.computeIfAbsent(spec.id(), id -> loadWordTable(spec));
    }

    private static Optional<WordTable> loadWordTable(EncoderSpec spec) {
        InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(WordTable.resourceName(spec.name()));
        if (in == null) {
            return Optional.empty();
        }
        try (InputStream data = new BufferedInputStream(in, 1 << 16)) {
            WordTable table = WordTable.read(data);
            if (!table.belongsTo(spec.id(), WordTable.digest(modelBytes(spec)))) {
                LOG.warn("the word table of {} was computed for another model; embedding words with the model", spec.id());
                return Optional.empty();
            }
            LOG.info("encoder {}: {} vocabulary words from the word table", spec.id(), table.size());
            return Optional.of(table);
        } catch (IOException e) {
            LOG.warn("cannot read the word table of {} ({}); embedding words with the model", spec.id(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The model file's bytes, from its path or the class path. */
    public static byte[] modelBytes(EncoderSpec spec) throws IOException {
        return spec.modelPath() != null ? Files.readAllBytes(spec.modelPath()) : resource(spec.resource());
    }

    /** The tokenizer as this encoder configures it: truncation at the model's length, no padding. */
    public static HuggingFaceTokenizer loadTokenizer(EncoderSpec spec) throws IOException {
        Map<String, String> opts = new HashMap<>();
        opts.put("maxLength", Integer.toString(spec.maxTokens()));
        opts.put("truncation", "true");
        opts.put("padding", "false");
        opts.put("addSpecialTokens", "true");
        Path file = Path.of(spec.tokenizer());
        if (spec.modelPath() != null || Files.isRegularFile(file)) {
            return HuggingFaceTokenizer.newInstance(file, opts);
        }
        try (InputStream in = stream(spec.tokenizer())) {
            return HuggingFaceTokenizer.newInstance(in, opts);
        }
    }

    static InputStream stream(String name) {
        InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("classpath resource " + name + " is missing: is the model artifact on the class path?");
        }
        return in;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        }
    }
}
