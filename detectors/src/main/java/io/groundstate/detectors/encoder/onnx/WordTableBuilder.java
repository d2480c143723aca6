package io.groundstate.detectors.encoder.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.WordTable;
import io.groundstate.detectors.text.Lexicon;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds the {@link WordTable} of built-in models, run by the detectors module's build (process-classes):
 * {@code WordTableBuilder OUTPUT_DIR MODEL...}. Each vocabulary word that soft support could ask for (letters
 * only, two or more, not a stopword) is embedded alone, as the monitor would embed it. A table that already
 * belongs to the model's bytes is kept.
 */
public final class WordTableBuilder {
    private static final Pattern WORD = Pattern.compile("[a-z]{2,}");

    private WordTableBuilder() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: WordTableBuilder OUTPUT_DIR MODEL...");
            System.exit(2);
        }
        Path outDir = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            build(EncoderSpec.of(args[i], "cpu", 1), outDir);
        }
    }

    static void build(EncoderSpec spec, Path outDir) throws IOException {
        Path file = outDir.resolve(WordTable.resourceName(spec.name()));
        byte[] digest = WordTable.digest(ModelFiles.modelBytes(spec));
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                if (WordTable.read(in).belongsTo(spec.id(), digest)) {
                    System.out.println("word table of " + spec.id() + " is up to date: " + file);
                    return;
                }
            } catch (IOException e) {
                System.out.println("rebuilding the word table of " + spec.id() + " (" + e.getMessage() + ")");
            }
        }
        List<String> words = vocabularyWords(spec);
        long t0 = System.nanoTime();
        float[][] vectors;
        try (OnnxEncoder encoder = OnnxEncoder.open(spec)) {
            vectors = encoder.embed(words);
        }
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            new WordTable(spec.id(), digest, words, vectors).write(out);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("word table of %s: %d words in %.1f s -> %s (%d bytes)%n", spec.id(), words.size(),
                (System.nanoTime() - t0) / 1e9, file, Files.size(file));
    }

    /** The tokenizer's whole words that can be content words, sorted; empty for a tokenizer without a word vocabulary. */
    static List<String> vocabularyWords(EncoderSpec spec) throws IOException {
        JsonNode root;
        Path path = Path.of(spec.tokenizer());
        try (InputStream in = Files.isRegularFile(path) ? Files.newInputStream(path) : ModelFiles.stream(spec.tokenizer())) {
            root = new ObjectMapper().readTree(in);
        }
        JsonNode vocab = root.path("model").path("vocab");
        TreeSet<String> words = new TreeSet<>();
        if (vocab.isObject()) { // WordPiece and BPE: token -> id
            vocab.fieldNames().forEachRemaining(w -> {
                if (WORD.matcher(w).matches() && !Lexicon.isStopword(w)) {
                    words.add(w);
                }
            });
        }
        return new ArrayList<>(words);
    }
}
