package io.groundstate.detectors.encoder.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.Pooling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime sentence encoder: HuggingFace tokenizer, batched inference, mean or CLS pooling,
 * L2 normalisation. The only class that touches ONNX Runtime.
 */
public final class OnnxEncoder implements Encoder {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEncoder.class);

    private final EncoderSpec spec;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean wantsTokenTypes;
    private final int dimension;
    private final String device;

    private final int batchSize;
    /** CPU: the runs of one call beyond the caller's own go to these threads, one per further core. */
    private final int helperCount;
    private final ExecutorService helpersPool;

    private OnnxEncoder(EncoderSpec spec, OrtSession session, HuggingFaceTokenizer tokenizer, String device,
                        int helperCount) throws OrtException {
        this.spec = spec;
        this.env = OrtEnvironment.getEnvironment();
        this.session = session;
        this.tokenizer = tokenizer;
        this.device = device;
        Map<String, NodeInfo> inputs = session.getInputInfo();
        for (String required : List.of("input_ids", "attention_mask")) {
            if (!inputs.containsKey(required)) {
                throw new IllegalArgumentException("model " + spec.name() + " has no input '" + required
                        + "'; inputs are " + inputs.keySet());
            }
        }
        this.wantsTokenTypes = inputs.containsKey("token_type_ids");
        this.dimension = embedOne("dimension probe").length;
        this.batchSize = batchInvariant() ? spec.batchSize() : 1;
        this.helperCount = helperCount;
        this.helpersPool = Executors.newFixedThreadPool(Math.max(1, helperCount), r -> {
            Thread t = new Thread(r, "onnx-run");
            t.setDaemon(true);
            return t;
        });
        if (batchSize != spec.batchSize()) {
            LOG.info("encoder {}: a text's vector depends on the other texts in its batch (dynamic quantisation),"
                    + " so texts run one at a time to keep results reproducible", spec.id());
        }
    }

    /**
     * Whether a text's vector is the same alone as beside a longer text. Dynamically quantised models take one
     * activation scale per tensor, so theirs is not (measured: up to 0.03 per component), and a replay that
     * batches across requests would then depend on timing.
     */
    private boolean batchInvariant() throws OrtException {
        String a = "A short probe sentence.";
        String b = "A much longer probe sentence, which pads the short one and shifts the scale of any quantised "
                + "activations that are computed over the whole batch at once.";
        float[] alone = embedOne(a);
        float[][] together = runBatch(tokenizer.batchEncode(List.of(a, b)));
        return Arrays.equals(alone, together[0]);
    }

    /** Loads the model named by the spec; falls back to CPU, with a warning, when CUDA cannot start. */
    public static OnnxEncoder open(EncoderSpec spec) {
        return open(spec, 1);
    }

    /**
     * @param threadsPerRun on CPU, threads that one model run uses; the encoder runs as many runs at once as
     *                      there are cores left for them (1, the default: one run per core)
     */
    public static OnnxEncoder open(EncoderSpec spec, int threadsPerRun) {
        try {
            byte[] model = ModelFiles.modelBytes(spec);
            HuggingFaceTokenizer tokenizer = ModelFiles.loadTokenizer(spec);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            int wanted = EncoderSpec.parseDevice(spec.device());
            if (wanted != -1) {
                int gpu = Math.max(0, wanted);
                try (OrtSession.SessionOptions opts = options(Runtime.getRuntime().availableProcessors())) {
                    opts.addCUDA(gpu);
                    OrtSession s = env.createSession(model, opts);
                    LOG.info("encoder {} on cuda:{}", spec.id(), gpu);
                    return new OnnxEncoder(spec, s, tokenizer, "cuda:" + gpu, 0);
                } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
                    if (wanted == -2) {
                        LOG.info("no usable CUDA device ({}); using the CPU", firstLine(e)); // auto: expected on CPU hosts
                    } else {
                        LOG.warn("CUDA device {} unavailable ({}); falling back to CPU", gpu, firstLine(e));
                    }
                }
            }
            // One thread per run, several runs at once: a sentence is too small a run to split over cores
            // (measured: two single-threaded runs side by side 1.25-1.4x one two-threaded run at a time).
            int cores = Runtime.getRuntime().availableProcessors();
            int perRun = Math.max(1, Math.min(threadsPerRun, cores));
            try (OrtSession.SessionOptions opts = options(perRun)) {
                OrtSession s = env.createSession(model, opts);
                LOG.info("encoder {} on cpu, {} runs at once", spec.id(), Math.max(1, cores / perRun));
                return new OnnxEncoder(spec, s, tokenizer, "cpu", Math.max(1, cores / perRun) - 1);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load ONNX model " + spec.name() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + spec.name(), e);
        }
    }

    /** The session options this encoder runs with (full graph optimisation, {@code intraOpThreads} per run). */
    public static OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        opts.setIntraOpNumThreads(intraOpThreads);
        return opts;
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String device() {
        return device;
    }

    /** Texts per run: the configured batch size, or 1 for a model whose vectors depend on their batch. */
    public int batchSize() {
        return batchSize;
    }

    private float[] embedOne(String text) throws OrtException {
        return runBatch(tokenizer.batchEncode(List.of(text)))[0];
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        if (texts.isEmpty()) {
            return out;
        }
        Encoding[] enc = tokenizer.batchEncode(texts);
        // Sort by length so that each batch pads little.
        Integer[] order = new Integer[enc.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> enc[i].getIds().length));
        List<int[]> runs = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            int[] which = new int[to - from];
            for (int k = from; k < to; k++) {
                which[k - from] = order[k];
            }
            runs.add(which);
        }
        AtomicInteger next = new AtomicInteger();
        Callable<Void> worker = () -> {
            for (int r = next.getAndIncrement(); r < runs.size(); r = next.getAndIncrement()) {
                int[] which = runs.get(r);
                Encoding[] batch = new Encoding[which.length];
                for (int k = 0; k < which.length; k++) {
                    batch[k] = enc[which[k]];
                }
                float[][] vs = runBatch(batch);
                for (int k = 0; k < which.length; k++) {
                    out[which[k]] = vs[k];
                }
            }
            return null;
        };
        List<Future<Void>> helpers = new ArrayList<>();
        for (int h = 0; h < Math.min(helperCount, runs.size() - 1); h++) {
            helpers.add(helpersPool.submit(worker));
        }
        try {
            worker.call();
            for (Future<Void> f : helpers) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("encoder " + spec.id() + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (Exception e) {
            throw new IllegalStateException("encoder " + spec.id() + " failed: " + e.getMessage(), e);
        }
        return out;
    }

    private float[][] runBatch(Encoding[] batch) throws OrtException {
        Run run = run(batch);
        float[][] out = new float[batch.length][];
        for (int i = 0; i < batch.length; i++) {
            out[i] = poolOne(run, i, null);
        }
        return out;
    }

    /**
     * The model's token states for a batch padded to its longest text ({@code len}), flat in ONNX Runtime's
     * row-major order ({@code [text][token][dim]}; read as one buffer, not as nested Java arrays, which cost an
     * allocation per token), and the padding mask.
     */
    private record Run(float[] states, long[] mask, int len, int dim) {
    }

    private Run run(Encoding[] batch) throws OrtException {
        int n = batch.length;
        int len = 0;
        for (Encoding e : batch) {
            len = Math.max(len, e.getIds().length);
        }
        long[] ids = new long[n * len];
        long[] mask = new long[n * len];
        long[] types = new long[n * len];
        for (int i = 0; i < n; i++) {
            long[] eIds = batch[i].getIds();
            long[] eMask = batch[i].getAttentionMask();
            long[] eTypes = batch[i].getTypeIds();
            System.arraycopy(eIds, 0, ids, i * len, eIds.length);
            System.arraycopy(eMask, 0, mask, i * len, eMask.length);
            System.arraycopy(eTypes, 0, types, i * len, eTypes.length);
        }
        long[] shape = {n, len};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (wantsTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor hidden = (OnnxTensor) result.get(0);
                long[] dims = hidden.getInfo().getShape();
                java.nio.FloatBuffer buffer = hidden.getFloatBuffer();
                float[] states = new float[buffer.remaining()];
                buffer.get(states);
                return new Run(states, mask, len, (int) dims[2]);
            }
        } finally {
            for (OnnxTensor t : inputs.values()) {
                t.close();
            }
        }
    }

    /** Text {@code i}'s vector from its token states; tokens flagged in leaveOut are left out of a mean pool. */
    private float[] poolOne(Run run, int i, boolean[] leaveOut) {
        int dim = run.dim();
        int len = run.len();
        float[] h = run.states();
        int text = i * len * dim;
        double[] acc = new double[dim];
        if (spec.pooling() == Pooling.CLS) {
            for (int d = 0; d < dim; d++) {
                acc[d] = h[text + d];
            }
        } else {
            int count = 0;
            for (int t = 0; t < len; t++) {
                if (run.mask()[i * len + t] != 0 && (leaveOut == null || !leaveOut[t])) {
                    count++;
                    int token = text + t * dim;
                    for (int d = 0; d < dim; d++) {
                        acc[d] += h[token + d];
                    }
                }
            }
            for (int d = 0; d < dim; d++) {
                acc[d] /= Math.max(1, count);
            }
        }
        double norm = 0;
        for (double a : acc) {
            norm += a * a;
        }
        norm = Math.sqrt(norm);
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) (acc[d] / (norm > 0 ? norm : 1));
        }
        return v;
    }

    /**
     * Occlusion in the pool: one run of the text, then each span's word pieces left out of the mean. It keeps
     * the span's influence on the other tokens' states (attention), so it approximates re-embedding the text
     * without the span; its cost is one run instead of 1 + spans. CLS pooling has no such shortcut.
     */
    @Override
    public float[][] embedWithout(String text, List<int[]> spans) {
        if (spec.pooling() != Pooling.MEAN || spans.isEmpty()) {
            return Encoder.super.embedWithout(text, spans);
        }
        Encoding e = tokenizer.batchEncode(List.of(text))[0];
        ai.djl.huggingface.tokenizers.jni.CharSpan[] chars = e.getCharTokenSpans();
        Run run;
        try {
            run = run(new Encoding[] {e});
        } catch (OrtException ex) {
            throw new IllegalStateException("encoder " + spec.id() + " failed: " + ex.getMessage(), ex);
        }
        int len = run.len();
        float[][] out = new float[spans.size() + 1][];
        out[0] = poolOne(run, 0, null);
        for (int k = 0; k < spans.size(); k++) {
            int[] span = spans.get(k);
            boolean[] leaveOut = new boolean[len];
            boolean any = false;
            for (int t = 0; t < len && t < chars.length; t++) {
                if (chars[t] != null && chars[t].getStart() < span[1] && chars[t].getEnd() > span[0]) {
                    leaveOut[t] = true;
                    any = true;
                }
            }
            out[k + 1] = any ? poolOne(run, 0, leaveOut) : out[0];
        }
        return out;
    }

    @Override
    public void close() {
        helpersPool.shutdownNow();
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing ONNX session: {}", e.getMessage());
        }
        tokenizer.close();
    }
}
