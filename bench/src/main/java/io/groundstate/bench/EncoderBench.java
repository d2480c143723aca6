package io.groundstate.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.onnx.ModelFiles;
import io.groundstate.detectors.encoder.onnx.OnnxEncoder;
import io.groundstate.detectors.vec.Vectors;
import io.groundstate.streams.cli.EncoderOptions;
import java.io.IOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Sentences per second of groundstate's encoder against raw ONNX Runtime on the same model and batches (the
 * limit of the machine: inference alone, inputs prepared beforehand) and against langchain4j's in-process
 * encoder (the peer a Java user would pick), on the same sentences in one process.
 */
@Command(name = "encoder", mixinStandardHelpOptions = true,
        description = {"Encoder throughput: ours (tokenize, batch, run, pool) against raw ONNX Runtime on the same",
                "model and batches (session.run alone, tensors built beforehand; the faster of one run on every core",
                "and one single-threaded run per core) and against langchain4j's embedAll, on the same sentences.",
                "The median of the rounds is reported; the order of the contenders alternates between rounds."})
public final class EncoderBench implements Callable<Integer> {
    @Mixin
    Corpus corpus = new Corpus();

    @Option(names = "--sentences", defaultValue = "1000", description = "Sentences to embed (default: ${DEFAULT-VALUE}).")
    int sentences;

    @Option(names = "--model", description = "Model to measure; repeatable (default: all-minilm-l6-v2, the model of "
            + "langchain4j's AllMiniLmL6V2EmbeddingModel, then the shipped default " + EncoderSpec.DEFAULT_MODEL + ").")
    List<String> models = new ArrayList<>();

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-size", defaultValue = "" + EncoderOptions.DEFAULT_BATCH,
            description = "Sentences per run for ours and raw ONNX Runtime (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--langchain4j", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure langchain4j too; --no-langchain4j skips it (it has no CUDA option, so it runs on the CPU).")
    boolean langchain4j;

    @Option(names = "--json", description = "Print one JSON object instead of a Markdown table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (sentences < 1 || rounds < 1) {
            throw new IllegalArgumentException("--sentences and --rounds must be at least 1");
        }
        List<String> names = models.isEmpty() ? List.of("all-minilm-l6-v2", EncoderSpec.DEFAULT_MODEL) : models;
        List<String> texts = Corpus.sentences(corpus.answers(), sentences);
        long distinct = texts.stream().distinct().count();
        System.err.printf("bench encoder: %d sentences (%d distinct) from %s, %d model(s) x %d rounds%n",
                texts.size(), distinct, corpus.describe(), names.size(), rounds);

        ObjectMapper mapper = new ObjectMapper();
        ArrayNode results = mapper.createArrayNode();
        for (String name : names) {
            results.add(measure(mapper, EncoderSpec.of(name, device, batchSize), texts));
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("benchmark", "encoder");
        out.set("machine", Machine.describe(mapper));
        out.put("data", corpus.describe());
        out.put("sentences", texts.size());
        out.put("distinct_sentences", distinct);
        out.put("mean_chars", texts.stream().mapToInt(String::length).average().orElse(0));
        out.put("rounds", rounds);
        out.setAll((ObjectNode) results.get(0)); // the first model's figures at the top, as the issue names them
        out.set("models", results);
        if (json) {
            System.out.println(mapper.writeValueAsString(out));
        } else {
            printTable(results);
        }
        return 0;
    }

    private ObjectNode measure(ObjectMapper mapper, EncoderSpec spec, List<String> texts) throws Exception {
        ObjectNode r = mapper.createObjectNode();
        double[] ours = new double[rounds];
        double[] rawSequential = new double[rounds];
        double[] rawParallel = new double[rounds];
        double[] peer = new double[rounds];
        float[][] ourVectors = null;
        float[][] peerVectors = null;
        EmbeddingModel langchain = langchain4j ? langchain4jModel(spec) : null;
        try (OnnxEncoder encoder = OnnxEncoder.open(spec);
             RawOrt raw = new RawOrt(spec, texts, encoder.batchSize())) {
            encoder.embed(texts.subList(0, Math.min(16, texts.size()))); // session warm-up is not throughput
            raw.warmUp();
            if (langchain != null) {
                langchain.embedAll(segments(texts.subList(0, Math.min(16, texts.size()))));
            }
            for (int round = 0; round < rounds; round++) {
                // Alternate the order so that a drift of the machine's speed does not favour one contender.
                List<Runnable> steps = new ArrayList<>();
                final int at = round;
                final float[][][] ourOut = new float[1][][];
                final float[][][] peerOut = new float[1][][];
                steps.add(() -> {
                    long t0 = System.nanoTime();
                    ourOut[0] = encoder.embed(texts);
                    ours[at] = texts.size() / seconds(t0);
                });
                steps.add(() -> rawSequential[at] = texts.size() / raw.timeSequential());
                steps.add(() -> rawParallel[at] = texts.size() / raw.timeParallel());
                if (langchain != null) {
                    steps.add(() -> {
                        long t0 = System.nanoTime();
                        List<Embedding> es = langchain.embedAll(segments(texts)).content();
                        peer[at] = texts.size() / seconds(t0);
                        peerOut[0] = es.stream().map(Embedding::vector).toArray(float[][]::new);
                    });
                }
                if (round % 2 == 1) {
                    java.util.Collections.reverse(steps);
                }
                steps.forEach(Runnable::run);
                ourVectors = ourOut[0];
                peerVectors = peerOut[0];
                System.err.printf(Locale.ROOT, "  round %d %s: ours %.1f/s, raw ORT %.1f/s (one run on all cores) %.1f/s "
                                + "(one run per core), langchain4j %s/s%n", round + 1, spec.name(), ours[round],
                        rawSequential[round], rawParallel[round],
                        langchain == null ? "-" : String.format(Locale.ROOT, "%.1f", peer[round]));
            }
            r.put("model", spec.name());
            r.put("device", encoder.device());
            r.put("batch", encoder.batchSize());
            if (encoder.batchSize() != spec.batchSize()) {
                r.put("batch_note", "the model's vectors depend on their batch (dynamic quantisation), so ours runs one "
                        + "text per run to stay reproducible; raw ONNX Runtime is measured on the same runs");
            }
        } finally {
            if (langchain instanceof AutoCloseable c) {
                c.close();
            }
        }
        double rawBest = Math.max(Stats.median(rawSequential), Stats.median(rawParallel));
        r.put("ours_per_s", round1(Stats.median(ours)));
        r.put("raw_ort_per_s", round1(rawBest));
        r.put("raw_ort_one_run_all_cores_per_s", round1(Stats.median(rawSequential)));
        r.put("raw_ort_one_run_per_core_per_s", round1(Stats.median(rawParallel)));
        r.put("ours_vs_raw_ort", round3(Stats.median(ours) / rawBest));
        if (langchain != null) {
            r.put("langchain4j_class", langchain.getClass().getSimpleName());
            r.put("langchain4j_per_s", round1(Stats.median(peer)));
            r.put("ours_vs_langchain4j", round3(Stats.median(ours) / Stats.median(peer)));
            double[] cosines = cosines(ourVectors, peerVectors);
            r.put("median_cosine_ours_vs_langchain4j", round6(Stats.median(cosines)));
            r.put("texts_with_cosine_below_0_999", Arrays.stream(cosines).filter(c -> c < 0.999).count());
            r.put("cosine_note", "below 0.999 only for texts over the model's " + spec.maxTokens() + " tokens: ours "
                    + "truncates them there, langchain4j splits them into parts and averages");
        }
        return r;
    }

    private static EmbeddingModel langchain4jModel(EncoderSpec spec) {
        return switch (spec.name()) {
            case "all-minilm-l6-v2" -> new AllMiniLmL6V2EmbeddingModel();
            case "all-minilm-l6-v2-q" -> new AllMiniLmL6V2QuantizedEmbeddingModel();
            case "bge-small-en-v1.5-q" -> new BgeSmallEnV15QuantizedEmbeddingModel();
            default -> null; // a user's own ONNX file: langchain4j has no class for it to compare with
        };
    }

    private static List<TextSegment> segments(List<String> texts) {
        return texts.stream().map(TextSegment::from).toList();
    }

    /** Cosine of each pair of vectors (computed, not assumed unit: langchain4j's are normalised too). */
    static double[] cosines(float[][] a, float[][] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Vectors.dot(a[i], b[i]) / (Vectors.norm(a[i]) * Vectors.norm(b[i]));
        }
        return out;
    }

    private void printTable(ArrayNode results) {
        System.out.println("| model | device | batch | ours /s | raw ONNX Runtime /s | langchain4j /s | ours : raw ORT "
                + "| ours : langchain4j | median cosine vs langchain4j |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (var r : results) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %s | %.2fx | %s | %s |%n", r.get("model").asText(),
                    r.get("device").asText(), r.get("batch").asInt(), r.get("ours_per_s").asDouble(),
                    r.get("raw_ort_per_s").asDouble(), r.path("langchain4j_per_s").asText("-"),
                    r.get("ours_vs_raw_ort").asDouble(),
                    r.has("ours_vs_langchain4j") ? r.get("ours_vs_langchain4j").asText() + "x" : "-",
                    r.path("median_cosine_ours_vs_langchain4j").asText("-"));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double round1(double x) {
        return Math.round(x * 10) / 10.0;
    }

    private static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    private static double round6(double x) {
        return Math.round(x * 1e6) / 1e6;
    }

    /**
     * ONNX Runtime driven directly: the texts tokenized, sorted by length and cut into the encoder's batches, their
     * tensors built, all before the clock starts; timed is {@code session.run} alone. Two configurations, the
     * faster counts as the limit: one session using every core per run, runs one after another (ONNX Runtime's
     * default), and one single-threaded session shared by one thread per core.
     */
    static final class RawOrt implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession allCores;
        private final OrtSession oneCore;
        private final List<Map<String, OnnxTensor>> batches = new ArrayList<>();
        private final int cores = Runtime.getRuntime().availableProcessors();
        private final ExecutorService pool = Executors.newFixedThreadPool(cores, r -> {
            Thread t = new Thread(r, "raw-ort");
            t.setDaemon(true);
            return t;
        });

        RawOrt(EncoderSpec spec, List<String> texts, int batch) throws OrtException, IOException {
            byte[] model = ModelFiles.modelBytes(spec);
            allCores = env.createSession(model, options(cores, spec));
            oneCore = env.createSession(model, options(1, spec));
            boolean types = allCores.getInputInfo().containsKey("token_type_ids");
            Encoding[] enc;
            try (HuggingFaceTokenizer tokenizer = ModelFiles.loadTokenizer(spec)) {
                enc = tokenizer.batchEncode(texts);
            }
            Arrays.sort(enc, Comparator.comparingInt(e -> e.getIds().length));
            for (int from = 0; from < enc.length; from += batch) {
                Encoding[] b = Arrays.copyOfRange(enc, from, Math.min(enc.length, from + batch));
                int len = Arrays.stream(b).mapToInt(e -> e.getIds().length).max().orElse(0);
                long[] ids = new long[b.length * len];
                long[] mask = new long[b.length * len];
                long[] typeIds = new long[b.length * len];
                for (int i = 0; i < b.length; i++) {
                    System.arraycopy(b[i].getIds(), 0, ids, i * len, b[i].getIds().length);
                    System.arraycopy(b[i].getAttentionMask(), 0, mask, i * len, b[i].getAttentionMask().length);
                    System.arraycopy(b[i].getTypeIds(), 0, typeIds, i * len, b[i].getTypeIds().length);
                }
                long[] shape = {b.length, len};
                Map<String, OnnxTensor> inputs = new HashMap<>();
                inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
                inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
                if (types) {
                    inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(typeIds), shape));
                }
                batches.add(inputs);
            }
        }

        private static OrtSession.SessionOptions options(int threads, EncoderSpec spec) throws OrtException {
            OrtSession.SessionOptions o = OnnxEncoder.options(threads);
            int gpu = EncoderSpec.parseDevice(spec.device());
            if (gpu != -1) {
                try {
                    o.addCUDA(Math.max(0, gpu));
                } catch (OrtException e) {
                    if (gpu != -2) {
                        System.err.println("raw ONNX Runtime: CUDA unavailable (" + e.getMessage().lines().findFirst()
                                .orElse("") + "); on the CPU");
                    }
                }
            }
            return o;
        }

        void warmUp() {
            try {
                allCores.run(batches.get(0)).close();
                oneCore.run(batches.get(0)).close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Seconds for every batch, one run after another on the every-core session. */
        double timeSequential() {
            long t0 = System.nanoTime();
            try {
                for (Map<String, OnnxTensor> b : batches) {
                    allCores.run(b).close();
                }
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
            return seconds(t0);
        }

        /** Seconds for every batch, one thread per core pulling batches for the single-threaded session. */
        double timeParallel() {
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < cores; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                        oneCore.run(batches.get(i)).close();
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> f : workers) {
                    f.get();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return seconds(t0);
        }

        @Override
        public void close() throws OrtException {
            pool.shutdownNow();
            batches.forEach(m -> m.values().forEach(OnnxTensor::close));
            allCores.close();
            oneCore.close();
        }
    }
}
