package io.groundstate.detectors.encoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which model to load and where: a built-in name, or an ONNX file with a {@code tokenizer.json}.
 *
 * @param name       built-in model name or the model file's name
 * @param modelPath  file path, or null for a classpath resource
 * @param resource   classpath resource of the model, or null
 * @param tokenizer  tokenizer.json: file path or classpath resource
 * @param pooling    pooling of token vectors
 * @param maxTokens  truncation length
 * @param device     {@code auto}, {@code cpu} or {@code cuda[:N]}
 * @param batchSize  sentences per ONNX run
 */
public record EncoderSpec(String name, Path modelPath, String resource, String tokenizer, Pooling pooling,
                          int maxTokens, String device, int batchSize) {

    /**
     * all-MiniLM-L6-v2 with int8 weights: on 2 CPU cores 1.4x the fp32 model's replay throughput, with the same
     * cross-validated quality once calibrated for it (docs/evaluation.md).
     */
    public static final String DEFAULT_MODEL = "all-minilm-l6-v2-q";

    public EncoderSpec {
        if (maxTokens < 8) {
            throw new IllegalArgumentException("maxTokens must be at least 8, got " + maxTokens);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        parseDevice(device);
    }

    /**
     * A built-in model by name ({@code all-minilm-l6-v2-q}, {@code all-minilm-l6-v2}, {@code bge-small-en-v1.5-q}) or a path to an
     * ONNX model, whose tokenizer is {@code tokenizer.json} or {@code NAME-tokenizer.json} beside it.
     */
    public static EncoderSpec of(String model, String device, int batchSize) {
        String key = model.toLowerCase(Locale.ROOT);
        switch (key) {
            case "all-minilm-l6-v2", "minilm":
                return new EncoderSpec("all-minilm-l6-v2", null, "all-minilm-l6-v2.onnx",
                        "all-minilm-l6-v2-tokenizer.json", Pooling.MEAN, 256, device, batchSize);
            case "all-minilm-l6-v2-q", "minilm-q", "default":
                return new EncoderSpec("all-minilm-l6-v2-q", null, "all-minilm-l6-v2-q.onnx",
                        "all-minilm-l6-v2-q-tokenizer.json", Pooling.MEAN, 256, device, batchSize);
            case "bge-small-en-v1.5-q", "bge-small-en-v15-q", "bge-small":
                return new EncoderSpec("bge-small-en-v1.5-q", null, "bge-small-en-v1.5-q.onnx",
                        "bge-small-en-v1.5-q-tokenizer.json", Pooling.CLS, 512, device, batchSize);
            default:
                Path path = Path.of(model);
                if (!Files.isRegularFile(path)) {
                    throw new IllegalArgumentException("unknown model '" + model
                            + "': use all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5-q, or the path of an .onnx file");
                }
                String base = path.getFileName().toString().replaceFirst("\\.onnx$", "");
                Path tok = path.resolveSibling(base + "-tokenizer.json");
                if (!Files.isRegularFile(tok)) {
                    tok = path.resolveSibling("tokenizer.json");
                }
                if (!Files.isRegularFile(tok)) {
                    throw new IllegalArgumentException("no tokenizer.json or " + base
                            + "-tokenizer.json beside " + path);
                }
                return new EncoderSpec(base, path, null, tok.toString(), Pooling.MEAN, 512, device, batchSize);
        }
    }

    public EncoderSpec withPooling(Pooling p) {
        return new EncoderSpec(name, modelPath, resource, tokenizer, p, maxTokens, device, batchSize);
    }

    /** Model id: name and pooling, so that app embeddings are reused only when they are comparable. */
    public String id() {
        return name + "/" + pooling.name().toLowerCase(Locale.ROOT);
    }

    /** -1 for CPU, 0.. for a CUDA device, -2 for auto. */
    public static int parseDevice(String device) {
        String d = device == null ? "auto" : device.trim().toLowerCase(Locale.ROOT);
        if (d.equals("auto")) {
            return -2;
        }
        if (d.equals("cpu")) {
            return -1;
        }
        if (d.equals("cuda")) {
            return 0;
        }
        if (d.startsWith("cuda:")) {
            try {
                int n = Integer.parseInt(d.substring(5));
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException("device must be auto, cpu, cuda or cuda:N, got '" + device + "'");
    }
}
