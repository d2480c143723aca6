package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.CALIBRATED_ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.CUSUM;
import static io.groundstate.detectors.calib.SentenceFeature.DRIFT_ANGLE;
import static io.groundstate.detectors.calib.SentenceFeature.ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.EXCESS_JUMP;
import static io.groundstate.detectors.calib.SentenceFeature.FRAGILITY;
import static io.groundstate.detectors.calib.SentenceFeature.GAIN;
import static io.groundstate.detectors.calib.SentenceFeature.INDIRECT_TRANSITION;
import static io.groundstate.detectors.calib.SentenceFeature.LENGTH;
import static io.groundstate.detectors.calib.SentenceFeature.MARGIN;
import static io.groundstate.detectors.calib.SentenceFeature.MEAN_ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.MIN_LOGPROB;
import static io.groundstate.detectors.calib.SentenceFeature.NULL_STATE;
import static io.groundstate.detectors.calib.SentenceFeature.POSITION;
import static io.groundstate.detectors.calib.SentenceFeature.RECORD_CONFLICTS;
import static io.groundstate.detectors.calib.SentenceFeature.SOFT_UNSUPPORTED;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NAMES;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NUMBERS;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_RATIO;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_WORDS;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.calib.ResponseFeature;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.TokenFeature;
import io.groundstate.detectors.calib.Localisation;
import io.groundstate.detectors.calib.Localisation.TokenEvidence;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.monitor.MonitorEvent.ContextChunk;
import io.groundstate.detectors.monitor.MonitorEvent.RequestFinished;
import io.groundstate.detectors.monitor.MonitorEvent.RequestStarted;
import io.groundstate.detectors.monitor.MonitorEvent.SpanEmbedding;
import io.groundstate.detectors.monitor.MonitorEvent.TokenAlternative;
import io.groundstate.detectors.monitor.MonitorEvent.TokenDelta;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.text.Attribution;
import io.groundstate.detectors.monitor.MonitorOutput.Severity;
import io.groundstate.detectors.monitor.RequestState.SentenceRecord;
import io.groundstate.detectors.physics.Basis;
import io.groundstate.detectors.physics.BasisState;
import io.groundstate.detectors.physics.Clustering;
import io.groundstate.detectors.physics.Drift;
import io.groundstate.detectors.physics.Grounding;
import io.groundstate.detectors.physics.Perturbation;
import io.groundstate.detectors.physics.RealityBasis;
import io.groundstate.detectors.physics.RecordPolarity;
import io.groundstate.detectors.physics.SemanticStates;
import io.groundstate.detectors.physics.Uncertainty;
import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.text.Sentence;
import io.groundstate.detectors.text.SentenceSegmenter;
import io.groundstate.detectors.vec.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The one implementation of detection. A deterministic state machine: {@link #process} applies one
 * event to a request's state and returns what it emits. Streaming, replay and evaluation all drive it.
 *
 * <p>Events may come in any order a real stream produces: context after tokens (sentences wait
 * for context, and are re-scored at the end when later context changed the basis), repeated
 * deltas (ignored), gaps (held, then skipped when too many deltas queue behind them or the
 * request ends), and no finish at all (the host calls {@link #expire}).
 */
public final class RequestMonitor {
    public static final String DETECTOR_VERSION = "groundstate-detectors/1";
    private static final int MAX_SENTENCE_CHARS = 800;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final Encoder encoder;
    private final Combiner combiner;
    private final MonitorConfig config;
    private final LongSupplier emitClock;

    /**
     * @param emitClock supplies alert emit times; replay passes event time through it so output is deterministic
     */
    public RequestMonitor(Encoder encoder, Combiner combiner, MonitorConfig config, LongSupplier emitClock) {
        this.encoder = encoder;
        this.combiner = combiner;
        this.config = config;
        this.emitClock = emitClock;
    }

    public Combiner combiner() {
        return combiner;
    }

    public Encoder encoder() {
        return encoder;
    }

    /** Applies one event to the request's state (a new {@link RequestState} for a request not seen before). */
    public List<MonitorOutput> process(RequestState state, MonitorEvent event) {
        if (state.requestId == null) {
            state.requestId = event.requestId();
        } else if (!state.requestId.equals(event.requestId())) {
            throw new IllegalArgumentException("event for " + event.requestId() + " given state of " + state.requestId);
        }
        state.lastEventTime = Math.max(state.lastEventTime, event.eventTime());
        if (state.finished) {
            state.duplicates += event instanceof TokenDelta ? 1 : 0;
            return List.of(); // a late event after the verdict cannot change it
        }
        if (event instanceof RequestStarted e) {
            admitText(state, e.prompt());
            state.app = nonBlank(e.app(), "unknown");
            state.model = nonBlank(e.model(), "unknown");
            state.prompt = e.prompt() == null || e.prompt().isBlank() ? null : e.prompt();
            state.basisDirty |= state.prompt != null;
            if (state.prompt != null && !state.chunks.isEmpty()) {
                prefetchPrompt(state); // its chunks came first and were prefetched without it
            }
        } else if (event instanceof ContextChunk e) {
            int before = state.chunks.size();
            addChunk(state, e);
            if (state.chunks.size() > before) {
                prefetchChunk(state, state.chunks.get(before), before == 0);
            }
        } else if (event instanceof TokenDelta e) {
            addDelta(state, e);
        } else if (event instanceof SpanEmbedding e) {
            addSpanEmbedding(state, e);
        } else if (event instanceof RequestFinished e) {
            state.finishReason = nonBlank(e.finishReason(), "stop");
            state.finished = true;
        }
        return advance(state);
    }

    /** Ends a request that never finished (idle timeout): the verdict covers what arrived. */
    public List<MonitorOutput> expire(RequestState state, String reason) {
        if (state.finished) {
            return List.of();
        }
        state.finished = true;
        state.finishReason = reason;
        return advance(state);
    }

    /** Counts the text against the request's byte limit, or rejects the event before it changes anything. */
    private void admitText(RequestState state, String text) {
        long bytes = utf8Length(text);
        if (state.textBytes + bytes > config.limits().maxTextBytes()) {
            throw new RejectedEvent(RejectedEvent.Limit.TEXT_BYTES, "request " + state.requestId + " would reach "
                    + (state.textBytes + bytes) + " bytes of text (limit " + config.limits().maxTextBytes() + ")");
        }
        state.textBytes += bytes;
    }


    static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * What a new chunk adds to the texts the request's context will have embedded: its basis texts, their
     * zero-point probes and its words, and with the first chunk the question and its words. A streaming host
     * prefetches them when the chunk arrives (see {@link Encoder#prefetch}), so that the work is done before the
     * first sentence needs it. Only the new chunk's: listing the whole context again at every chunk was a tenth of
     * a stream thread's time (profiled), for texts already queued.
     */
    private void prefetchChunk(RequestState state, RequestState.Chunk chunk, boolean first) {
        encoder.prefetch(() -> {
            List<String> out = new ArrayList<>();
            if (chunk.text != null) { // an app-embedded chunk has no text to embed
                DerivedText d = derived(chunk);
                List<String> texts = firstOf(basisTexts(d), config.maxBasisStates());
                out.addAll(texts);
                zeroPointProbes(texts).forEach(p -> out.add(p.perturbed));
                out.addAll(firstOf(d.words(), config.maxContextWords()));
            }
            if (first && state.prompt != null) {
                out.addAll(promptTexts(state));
            }
            return out;
        });
    }

    private void prefetchPrompt(RequestState state) {
        encoder.prefetch(() -> promptTexts(state));
    }

    /** The question and its words, as the basis and soft support embed them. */
    private List<String> promptTexts(RequestState state) {
        List<String> out = new ArrayList<>();
        out.add(state.prompt);
        out.addAll(firstOf(promptText(state).words(), config.maxContextWords()));
        return out;
    }

    private static <T> List<T> firstOf(List<T> xs, int n) {
        return xs.subList(0, Math.min(xs.size(), n));
    }

    private static String nonBlank(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }

    private void addChunk(RequestState state, ContextChunk e) {
        for (RequestState.Chunk c : state.chunks) {
            if (c.chunkId.equals(e.chunkId())) {
                return; // a repeated chunk
            }
        }
        if (state.chunks.size() >= config.limits().maxChunks()) {
            throw new RejectedEvent(RejectedEvent.Limit.CHUNKS, "request " + state.requestId + " already has "
                    + state.chunks.size() + " context chunks, the most accepted (limit " + config.limits().maxChunks() + ")");
        }
        admitText(state, e.text());
        boolean hasText = e.text() != null && !e.text().isBlank();
        boolean usableVector = e.embedding() != null && encoder.id().equals(e.embeddingModel())
                && e.embedding().length == encoder.dimension() && Vectors.allFinite(e.embedding())
                && Vectors.norm(e.embedding()) > 0;
        if (!hasText && !usableVector) {
            state.unusableChunks++;
            return;
        }
        RequestState.Chunk c = new RequestState.Chunk();
        c.chunkId = e.chunkId();
        c.rank = e.rank();
        c.text = hasText ? e.text() : null;
        c.embedding = !hasText ? Vectors.normalize(e.embedding()) : null;
        state.chunks.add(c);
        state.basisDirty = true;
    }

    private void addDelta(RequestState state, TokenDelta e) {
        if (e.index() < state.nextIndex || state.pending.containsKey(e.index())) {
            state.duplicates++;
            return;
        }
        int accepted = state.marks.size() + state.pending.size(); // every accepted delta is held or placed
        if (accepted >= config.limits().maxTokenDeltas()) {
            throw new RejectedEvent(RejectedEvent.Limit.TOKEN_DELTAS, "request " + state.requestId + " already has "
                    + accepted + " token deltas, the most accepted (limit " + config.limits().maxTokenDeltas() + ")");
        }
        admitText(state, e.text());
        RequestState.Delta d = new RequestState.Delta();
        d.text = e.text() == null ? "" : e.text();
        d.eventTime = e.eventTime();
        if (e.logprob() != null && Double.isFinite(e.logprob())) {
            d.logprob = e.logprob();
        }
        List<TokenAlternative> alts = e.topAlternatives();
        if (alts != null && !alts.isEmpty()) {
            d.entropy = Uncertainty.entropy(alts.stream().mapToDouble(TokenAlternative::logprob).toArray());
        }
        state.pending.put(e.index(), d);
        drain(state, false);
    }

    private void drain(RequestState state, boolean skipGaps) {
        StringBuilder response = new StringBuilder(state.response);
        while (!state.pending.isEmpty()) {
            long first = state.pending.firstKey();
            if (first != state.nextIndex) {
                if (!skipGaps && state.pending.size() <= config.maxPendingDeltas()) {
                    break;
                }
                state.gaps += (int) (first - state.nextIndex);
                state.nextIndex = first;
            }
            RequestState.Delta d = state.pending.pollFirstEntry().getValue();
            RequestState.Mark m = new RequestState.Mark();
            m.start = response.length();
            response.append(d.text);
            m.end = response.length();
            m.logprob = d.logprob;
            m.entropy = d.entropy;
            m.eventTime = d.eventTime;
            state.marks.add(m);
            state.nextIndex++;
        }
        state.response = response.toString();
    }

    private void addSpanEmbedding(RequestState state, SpanEmbedding e) {
        if (!encoder.id().equals(e.embeddingModel()) || e.embedding() == null
                || e.embedding().length != encoder.dimension() || !Vectors.allFinite(e.embedding())
                || Vectors.norm(e.embedding()) == 0 || e.start() < 0 || e.end() <= e.start()) {
            state.unusableChunks++;
            return;
        }
        RequestState.AppSpan s = new RequestState.AppSpan();
        s.start = e.start();
        s.end = e.end();
        s.embedding = Vectors.normalize(e.embedding());
        state.spanEmbeddings.add(s);
    }

    private List<MonitorOutput> advance(RequestState state) {
        if (state.finished) {
            drain(state, true);
        }
        SentenceSegmenter seg = SentenceSegmenter.resume(state.response, state.committed, state.sentences.size(),
                MAX_SENTENCE_CHARS);
        List<Sentence> fresh = new ArrayList<>(seg.append(""));
        if (state.finished) {
            fresh.addAll(seg.flush());
        }
        state.committed = seg.committed();
        for (Sentence s : fresh) {
            SentenceRecord r = new SentenceRecord();
            r.index = s.index();
            r.start = s.start();
            r.end = s.end();
            r.eventTime = lastTokenTime(state, s.end());
            state.sentences.add(r);
        }
        List<MonitorOutput> out = new ArrayList<>();
        boolean hasContext = !state.chunks.isEmpty();
        // Built when a sentence or the verdict needs it, not at each chunk: a streaming host prefetches the
        // context's vectors meanwhile (Encoder.prefetch), so no event waits for a whole context's encoder runs.
        boolean needed = state.finished || state.sentences.stream().anyMatch(r -> r.scoredWith < 0);
        if (hasContext && needed && (state.basisDirty || state.basis == null)) {
            rebuildBasis(state, state.basisDirty); // a restored state rebuilds the same basis, not a new version
        }
        if (hasContext && state.basis != null) {
            boolean stale = state.finished && state.sentences.stream()
                    .anyMatch(r -> r.scoredWith >= 0 && r.scoredWith != state.basisVersion);
            if (stale) {
                resetDrift(state);
            }
            List<SentenceRecord> todo = state.sentences.stream()
                    .filter(r -> stale || r.scoredWith < 0).toList();
            if (!todo.isEmpty()) {
                score(state, todo, out);
            }
        }
        if (state.finished) {
            out.add(verdict(state));
            releaseDerived(state);
        }
        return out;
    }

    /**
     * A finished request takes no more events, so what only scoring needs goes: what was derived from the context
     * (a streaming host keeps up to {@code groundstate.request.live.max} finished states in memory per task), and
     * the drift detector's two vectors, half of the state that the store keeps for the retention.
     */
    private static void releaseDerived(RequestState state) {
        state.previousVector = null;
        state.runningSum = null;
        state.basis = null;
        state.contextIndex = null;
        state.promptText = null;
        state.chunks.forEach(c -> c.derived = null);
    }

    private static long lastTokenTime(RequestState state, int end) {
        long t = state.lastEventTime;
        for (RequestState.Mark m : state.marks) {
            if (m.end >= end && m.start < end) {
                return m.eventTime;
            }
        }
        return t;
    }

    private static void resetDrift(RequestState state) {
        state.cusum = 0;
        state.driftArmed = true;
        state.previousState = Integer.MIN_VALUE;
        state.previousVector = null;
        state.runningSum = null;
    }

    /** The context's basis texts in rank order, and the app-embedded chunks, capped at maxBasisStates. */
    private record BasisPlan(List<String> texts, List<String> owners, List<Integer> ranks, List<BasisState> embedded) {
    }

    private BasisPlan basisPlan(RequestState state) {
        List<RequestState.Chunk> chunks = new ArrayList<>(state.chunks);
        chunks.sort((a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank) : a.chunkId.compareTo(b.chunkId));
        List<String> texts = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        List<Integer> ranks = new ArrayList<>();
        List<BasisState> states = new ArrayList<>();
        for (RequestState.Chunk c : chunks) {
            if (c.text == null) {
                states.add(new BasisState(c.chunkId, c.rank, null, c.embedding));
                continue;
            }
            for (String piece : basisTexts(derived(c))) {
                if (texts.size() + states.size() >= config.maxBasisStates()) {
                    break;
                }
                texts.add(piece);
                owners.add(c.chunkId);
                ranks.add(c.rank);
            }
        }
        return new BasisPlan(texts, owners, ranks, states);
    }

    private void rebuildBasis(RequestState state, boolean changed) {
        BasisPlan plan = basisPlan(state);
        List<String> texts = plan.texts();
        List<String> owners = plan.owners();
        List<Integer> ranks = plan.ranks();
        List<BasisState> states = plan.embedded();
        boolean withQuestion = state.prompt != null;
        List<ZeroPointProbe> probes = zeroPointProbes(texts);
        List<String> batch = new ArrayList<>(texts);
        probes.forEach(p -> batch.add(p.perturbed));
        if (withQuestion) {
            batch.add(state.prompt);
        }
        float[][] vs = encoder.embed(batch);
        for (int i = 0; i < texts.size(); i++) {
            states.add(new BasisState(owners.get(i), ranks.get(i), texts.get(i), vs[i]));
        }
        float[][] vectors = states.stream().map(BasisState::vector).toArray(float[][]::new);
        int[] cluster = Clustering.agglomerate(vectors, config.clusterCosine());
        // The zero point comes from this basis's energies; scoring takes the basis with it.
        Basis basis = new Basis(states, cluster, Clustering.centroids(vectors, cluster),
                withQuestion ? vs[batch.size() - 1] : null, 0);
        double[] floors = basis.energies(Arrays.copyOfRange(vs, texts.size(), texts.size() + probes.size()));
        Arrays.sort(floors);
        state.zeroPoint = floors.length == 0 ? 0 : floors[floors.length / 2];
        state.basis = basis.withZeroPoint(state.zeroPoint);
        if (changed) {
            state.basisVersion++;
        }
        state.basisDirty = false;
    }

    private record ZeroPointProbe(String perturbed) {
    }

    /**
     * The per-request zero point: the energy that a context sentence has once one of its content
     * words is removed, i.e. the floor that even a faithful restatement sits at with this encoder.
     */
    private static List<ZeroPointProbe> zeroPointProbes(List<String> texts) {
        List<ZeroPointProbe> probes = new ArrayList<>();
        for (String t : texts) {
            if (probes.size() >= 5) {
                break;
            }
            List<ContentToken> tokens = Lexicon.contentTokens(t);
            if (tokens.size() < 4) {
                continue;
            }
            ContentToken longest = tokens.stream().max((a, b) -> Integer.compare(a.surface().length(),
                    b.surface().length())).orElseThrow();
            probes.add(new ZeroPointProbe(Perturbation.without(t, longest)));
        }
        return probes;
    }

    private static DerivedText derived(RequestState.Chunk c) {
        c.derived = DerivedText.of(c.derived, c.text);
        return c.derived;
    }

    private static DerivedText promptText(RequestState state) {
        state.promptText = DerivedText.ofQuestion(state.promptText, state.prompt);
        return state.promptText;
    }

    private List<String> basisTexts(DerivedText d) {
        if (d.basisTexts == null || d.basisWindowWords != config.windowWords()) {
            d.basisTexts = List.copyOf(basisTexts(d.statements()));
            d.basisWindowWords = config.windowWords();
        }
        return d.basisTexts;
    }

    /** Context text (records already flattened into statements) as basis states: sentences, long ones windowed. */
    private List<String> basisTexts(String statements) {
        List<String> out = new ArrayList<>();
        for (Sentence s : SentenceSegmenter.split(statements)) {
            String[] words = WHITESPACE.split(s.text());
            if (words.length <= config.windowWords()) {
                out.add(s.text());
                continue;
            }
            int stride = Math.max(1, config.windowWords() * 3 / 4);
            for (int from = 0; from < words.length; from += stride) {
                int to = Math.min(words.length, from + config.windowWords());
                out.add(String.join(" ", Arrays.asList(words).subList(from, to)));
                if (to == words.length) {
                    break;
                }
            }
        }
        return out;
    }

    private ContextIndex contextIndex(RequestState state) {
        if (state.contextIndex == null || !state.contextIndex.describes(state)) {
            Set<String> vocab = new HashSet<>();
            for (RequestState.Chunk c : state.chunks) {
                if (c.text != null) {
                    vocab.addAll(derived(c).vocabulary());
                }
            }
            if (state.prompt != null) {
                vocab.addAll(promptText(state).vocabulary());
            }
            RecordPolarity record = RecordPolarity.of(state.chunks.stream().filter(c -> c.text != null)
                    .map(c -> c.text).toList());
            state.contextIndex = new ContextIndex(state.chunks.size(), state.prompt, vocab, record);
        }
        return state.contextIndex;
    }

    /**
     * Soft support of each lexically unsupported word: its encoder cosine to the closest word of the
     * context, so that a paraphrase ("customers" for "reviews") counts as partly supported. Numbers
     * get none: a number is supported exactly or not at all.
     */
    private Map<String, Double> softSupport(RequestState state, List<ContentToken> unsupported) {
        Set<String> queries = new TreeSet<>();
        for (ContentToken t : unsupported) {
            if (t.kind() != ContentToken.Kind.NUMBER) {
                queries.add(t.surface().toLowerCase(Locale.ROOT));
            }
        }
        Map<String, Double> out = new HashMap<>();
        if (queries.isEmpty()) {
            return out;
        }
        ContextIndex index = contextIndex(state);
        if (index.words == null) {
            index.words = contextWordList(state);
            index.wordVectors = index.words.isEmpty() ? new float[0][] : encoder.embed(index.words);
        }
        List<String> asked = queries.stream().filter(q -> !index.softSupport.containsKey(q)).toList();
        if (!asked.isEmpty()) {
            float[][] vs = index.words.isEmpty() ? null : encoder.embed(asked);
            double[] best = new double[asked.size()];
            double[][] dots = vs == null ? new double[best.length][0] : Vectors.dots(vs, index.wordVectors);
            for (int q = 0; q < best.length; q++) {
                for (double dot : dots[q]) {
                    best[q] = Math.max(best[q], Vectors.clampCos(dot));
                }
            }
            for (int q = 0; q < best.length; q++) {
                index.softSupport.put(asked.get(q), best[q]);
            }
        }
        queries.forEach(q -> out.put(q, index.softSupport.get(q)));
        return out;
    }

    /** The context's distinct content words (the question's too), at most maxContextWords, sorted. */
    private List<String> contextWordList(RequestState state) {
        Set<String> words = new TreeSet<>();
        for (RequestState.Chunk c : state.chunks) {
            if (c.text != null) {
                addCapped(derived(c).words(), words);
            }
        }
        if (state.prompt != null) {
            addCapped(promptText(state).words(), words);
        }
        return new ArrayList<>(words);
    }

    private void addCapped(List<String> words, Set<String> into) {
        for (String w : words) {
            if (into.size() >= config.maxContextWords()) {
                return;
            }
            into.add(w);
        }
    }

    private record Pending(SentenceRecord record, String text, List<ContentToken> tokens,
                           RealityBasis.Result reality, List<ContentToken> conflicts, List<ContentToken> perturbed,
                           int vectorAt, float[] appVector, float[][] without) {
    }

    private void score(RequestState state, List<SentenceRecord> todo, List<MonitorOutput> out) {
        Basis basis = state.basis;
        ContextIndex index = contextIndex(state);
        Set<String> vocab = index.vocabulary;
        RecordPolarity record = index.record;
        List<String> batch = new ArrayList<>();
        List<Pending> pending = new ArrayList<>();
        for (SentenceRecord r : todo) {
            String text = state.response.substring(r.start, r.end);
            List<ContentToken> tokens = Lexicon.contentTokens(text);
            RealityBasis.Result reality = RealityBasis.check(tokens, vocab);
            List<ContentToken> perturbed = Perturbation.candidates(tokens, reality.unsupported(),
                    config.perturbationTokens());
            float[] appVector = appVector(state, r);
            int at = batch.size();
            float[][] without = null;
            if (!perturbed.isEmpty() && !config.reembed()) {
                // The sentence and each perturbation from one encoder call (one model run where the encoder can).
                without = encoder.embedWithout(text, perturbed.stream().map(t -> new int[] {t.start(), t.end()})
                        .toList());
            } else {
                if (appVector == null) {
                    batch.add(text);
                }
                for (ContentToken t : perturbed) {
                    batch.add(Perturbation.without(text, t));
                }
            }
            pending.add(new Pending(r, text, tokens, reality, record.conflicts(text, tokens), perturbed, at,
                    appVector, without));
        }
        float[][] vs = batch.isEmpty() ? new float[0][] : encoder.embed(batch);
        Map<String, Double> soft = softSupport(state,
                pending.stream().flatMap(x -> x.reality.unsupported().stream()).toList());
        Thresholds th = combiner.thresholds();
        for (Pending p : pending) {
            int k = p.vectorAt;
            float[] s = p.appVector != null ? p.appVector : p.without != null ? p.without[0] : vs[k++];
            Grounding.Result g = Grounding.score(s, basis, config.beta());
            float[][] perturbedVectors = new float[p.perturbed.size()][];
            for (int i = 0; i < perturbedVectors.length; i++) {
                perturbedVectors[i] = p.without != null ? p.without[i + 1] : vs[k++];
            }
            double[] perturbedEnergies = basis.energies(perturbedVectors);
            Perturbation.Result pr = Perturbation.result(g.energy(), perturbedEnergies, p.perturbed,
                    config.attributeTop());
            double calibrated = g.energy() - basis.zeroPoint();
            int z = SemanticStates.assign(s, basis, basis.zeroPoint() + th.nullEnergy(), g.energy());
            String transition;
            double excessJump;
            boolean indirect;
            if (state.previousVector == null) {
                transition = "first";
                excessJump = 0;
                indirect = z == SemanticStates.NULL;
            } else {
                double jump = 1 - Vectors.cos(s, state.previousVector);
                double licensed = SemanticStates.licensed(state.previousState, z, basis);
                excessJump = Double.isNaN(licensed) ? jump : Math.max(0, jump - licensed);
                indirect = Double.isNaN(licensed) || jump > licensed + 2 * Math.max(basis.zeroPoint(), 0.05);
                transition = indirect ? "indirect" : "direct";
            }
            state.cusum = Drift.cusum(state.cusum, calibrated, th.driftKappa());
            state.runningSum = add(state.runningSum, s);
            double driftAngle = basis.centroid() == null ? 0
                    : Vectors.angle(Vectors.normalize(state.runningSum), basis.centroid());
            Uncertainty.Result u = Uncertainty.over(uncertaintyStats(state), p.record.start, p.record.end);

            double[] f = new double[SentenceFeature.values().length];
            ENERGY.set(f, g.energy());
            CALIBRATED_ENERGY.set(f, calibrated);
            MARGIN.set(f, g.margin());
            ENTROPY.set(f, g.entropy());
            GAIN.set(f, pr.gain());
            FRAGILITY.set(f, pr.fragility());
            UNSUPPORTED_RATIO.set(f, p.reality.ratio());
            UNSUPPORTED_NUMBERS.set(f, Math.log1p(p.reality.unsupportedNumbers()));
            UNSUPPORTED_NAMES.set(f, Math.log1p(p.reality.unsupportedNames()));
            UNSUPPORTED_WORDS.set(f, Math.log1p(p.reality.unsupportedWords()));
            NULL_STATE.set(f, z == SemanticStates.NULL ? 1 : 0);
            INDIRECT_TRANSITION.set(f, indirect ? 1 : 0);
            EXCESS_JUMP.set(f, excessJump);
            CUSUM.set(f, state.cusum);
            DRIFT_ANGLE.set(f, driftAngle);
            MIN_LOGPROB.set(f, u.present() ? u.minLogprob() : 0);
            MEAN_ENTROPY.set(f, u.present() ? u.meanEntropy() : 0);
            LENGTH.set(f, Math.log1p(p.tokens.size()));
            POSITION.set(f, Math.log1p(p.record.index));
            double softUnsupported = 0;
            for (ContentToken t : p.reality.unsupported()) {
                softUnsupported += 1 - soft.getOrDefault(t.surface().toLowerCase(Locale.ROOT), 0.0);
            }
            SOFT_UNSUPPORTED.set(f, softUnsupported);
            RECORD_CONFLICTS.set(f, Math.log1p(p.conflicts.size()));

            double prob = combiner.probability(f);
            SentenceRecord r = p.record;
            r.probability = prob;
            r.features = f;
            r.flagged = prob >= th.sentence();
            r.scoredWith = state.basisVersion;
            state.previousVector = s;
            state.previousState = z;

            List<Attribution> attributed = attributions(p, pr, r.start);
            // The answer's unsupported share so far: the verdict's own aggregate, over the sentences up to this one.
            double shareSoFar = Features.response(state.sentences.stream()
                    .filter(x -> x.features != null && x.index <= r.index).map(x -> x.features).toList())
                    [ResponseFeature.UNSUPPORTED_SHARE.ordinal()];
            List<TokenEvidence> tokens = tokenEvidence(p, pr, f, r.start, shareSoFar, soft, !record.isEmpty());
            double[] tokenProbabilities = Localisation.withSentenceProbability(tokens, prob).stream()
                    .mapToDouble(combiner::tokenProbability).toArray();
            List<Attribution> spans = Localisation.spans(state.response, tokens, tokenProbabilities, th.token(),
                    th.proseToken(), combiner.granularity(), r.start, r.end);
            r.spans = spans;
            BasisState nearest = basis.states().get(g.nearest());
            out.add(new MonitorOutput.SpanScore(state.requestId, state.app, state.model, r.index, r.start, r.end,
                    p.text, f, SemanticStates.name(z), transition, prob, r.flagged, attributed, spans, tokens,
                    nearest.chunkId(), g.nearestSimilarity(), r.eventTime));
            if (r.flagged) {
                Severity sev = prob >= th.critical() ? Severity.CRITICAL : Severity.WARNING;
                alert(state, out, AlertKind.UNGROUNDED_SPAN, sev, prob, th.sentence(), p.text, r, attributed,
                        nearest.chunkId(), g.nearestSimilarity());
            }
            if (pr.gain() >= th.fragileGain()) {
                alert(state, out, AlertKind.FRAGILE_STATE, Severity.WARNING, pr.gain(), th.fragileGain(), p.text, r,
                        attributed, nearest.chunkId(), g.nearestSimilarity());
            }
            if (state.cusum > th.driftH() && state.driftArmed) {
                state.driftArmed = false;
                alert(state, out, AlertKind.DRIFT, Severity.WARNING, state.cusum, th.driftH(), p.text, r,
                        attributed, nearest.chunkId(), g.nearestSimilarity());
            } else if (state.cusum == 0) {
                state.driftArmed = true;
            }
        }
    }

    /** Each content token's evidence; the sentence's probability is filled in by {@link Localisation}. */
    private static List<TokenEvidence> tokenEvidence(Pending p, Perturbation.Result pr, double[] sentence, int offset,
                                                     double answerShareSoFar, Map<String, Double> soft,
                                                     boolean structuredContext) {
        Set<Integer> unsupported = new HashSet<>();
        p.reality.unsupported().forEach(t -> unsupported.add(t.start()));
        List<TokenEvidence> out = new ArrayList<>(p.tokens.size());
        for (int k = 0; k < p.tokens.size(); k++) {
            ContentToken t = p.tokens.get(k);
            int neighbours = (k > 0 && unsupported.contains(p.tokens.get(k - 1).start()) ? 1 : 0)
                    + (k + 1 < p.tokens.size() && unsupported.contains(p.tokens.get(k + 1).start()) ? 1 : 0);
            int perturbedAt = p.perturbed.indexOf(t);
            double[] f = new double[TokenFeature.values().length];
            boolean lexicallyUnsupported = unsupported.contains(t.start());
            TokenFeature.UNSUPPORTED.set(f, lexicallyUnsupported ? 1 : 0);
            TokenFeature.NUMBER.set(f, t.kind() == ContentToken.Kind.NUMBER ? 1 : 0);
            TokenFeature.NAME.set(f, t.kind() == ContentToken.Kind.NAME ? 1 : 0);
            TokenFeature.DELTA.set(f, perturbedAt >= 0 && perturbedAt < pr.deltas().length ? pr.deltas()[perturbedAt] : 0);
            TokenFeature.PERTURBED.set(f, perturbedAt >= 0 ? 1 : 0);
            TokenFeature.LOG_LENGTH.set(f, Math.log1p(t.surface().length()));
            TokenFeature.UNSUPPORTED_NEIGHBOURS.set(f, neighbours);
            TokenFeature.SENTENCE_UNSUPPORTED_RATIO.set(f, UNSUPPORTED_RATIO.of(sentence));
            TokenFeature.SENTENCE_CALIBRATED_ENERGY.set(f, CALIBRATED_ENERGY.of(sentence));
            TokenFeature.ANSWER_UNSUPPORTED_SHARE.set(f, answerShareSoFar);
            TokenFeature.SOFT_SUPPORT.set(f, !lexicallyUnsupported ? 1
                    : soft.getOrDefault(t.surface().toLowerCase(Locale.ROOT), 0.0));
            TokenFeature.RECORD_CONFLICT.set(f, p.conflicts.contains(t) ? 1 : 0);
            TokenFeature.STRUCTURED_CONTEXT.set(f, structuredContext ? 1 : 0);
            out.add(new TokenEvidence(t.surface(), offset + t.start(), offset + t.end(), f));
        }
        return out;
    }

    /** Explanation: record conflicts, then lexically unsupported tokens, then those whose removal most lowered E. */
    private List<Attribution> attributions(Pending p, Perturbation.Result pr, int offset) {
        List<Attribution> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (ContentToken t : p.conflicts) {
            if (seen.add(t.start())) {
                out.add(new Attribution(t.surface(), offset + t.start(), offset + t.end()));
            }
        }
        for (ContentToken t : p.reality.unsupported()) {
            if (seen.add(t.start())) {
                out.add(new Attribution(t.surface(), offset + t.start(), offset + t.end()));
            }
        }
        for (ContentToken t : pr.attributed()) {
            if (seen.add(t.start())) {
                out.add(new Attribution(t.surface(), offset + t.start(), offset + t.end()));
            }
        }
        return out;
    }

    private static float[] appVector(RequestState state, SentenceRecord r) {
        for (RequestState.AppSpan s : state.spanEmbeddings) {
            if (s.start == r.start && s.end == r.end) {
                return s.embedding;
            }
        }
        return null;
    }

    private static List<Uncertainty.TokenStats> uncertaintyStats(RequestState state) {
        List<Uncertainty.TokenStats> out = new ArrayList<>(state.marks.size());
        for (RequestState.Mark m : state.marks) {
            out.add(new Uncertainty.TokenStats(m.start, m.end, m.logprob, m.entropy));
        }
        return out;
    }

    private static float[] add(float[] acc, float[] v) {
        float[] out = acc == null ? new float[v.length] : acc.clone();
        for (int i = 0; i < v.length; i++) {
            out[i] += v[i];
        }
        return out;
    }

    private void alert(RequestState state, List<MonitorOutput> out, AlertKind kind, Severity severity, double score,
                       double threshold, String text, SentenceRecord r, List<Attribution> attributed,
                       String chunkId, double similarity) {
        String id = alertId(state.requestId, kind, r.start, r.end);
        if (!state.alertIds.add(id)) {
            return; // re-scoring found what was already reported
        }
        state.alerts++;
        out.add(new MonitorOutput.Alert(id, state.requestId, state.app, state.model, kind, severity, score, threshold,
                config.alertText() ? text : null, r.start, r.end, attributed, chunkId, similarity, DETECTOR_VERSION,
                encoder.id(), r.eventTime, emitClock.getAsLong()));
    }

    /** Deterministic: the same request, kind and span give the same id, so consumers can de-duplicate. */
    public static String alertId(String requestId, AlertKind kind, int start, int end) {
        String key = requestId + "\u0000" + kind + "\u0000" + start + "\u0000" + end;
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private MonitorOutput.Verdict verdict(RequestState state) {
        List<double[]> scored = state.sentences.stream().filter(r -> r.scoredWith >= 0).map(r -> r.features).toList();
        double p = scored.isEmpty() ? 0 : combiner.responseProbability(scored);
        double threshold = combiner.thresholds().response();
        // The final localisation: the spans of a response judged hallucinated (live spans are provisional).
        List<Attribution> spans = p >= threshold
                ? state.sentences.stream().filter(r -> r.spans != null).flatMap(r -> r.spans.stream()).toList()
                : List.of();
        int flagged = (int) state.sentences.stream().filter(r -> r.flagged).count();
        return new MonitorOutput.Verdict(state.requestId, state.app, state.model, p >= threshold, p, threshold,
                spans, state.sentences.size(), flagged, state.alerts, state.finishReason, state.gaps, state.duplicates,
                state.unusableChunks, DETECTOR_VERSION, encoder.id(), state.lastEventTime);
    }

}
