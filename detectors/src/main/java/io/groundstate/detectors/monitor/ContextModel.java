package io.groundstate.detectors.monitor;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.physics.Basis;
import io.groundstate.detectors.physics.BasisState;
import io.groundstate.detectors.physics.Clustering;
import io.groundstate.detectors.physics.Contradiction;
import io.groundstate.detectors.physics.Perturbation;
import io.groundstate.detectors.physics.RecordPolarity;
import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.text.Sentence;
import io.groundstate.detectors.text.SentenceSegmenter;
import io.groundstate.detectors.text.StructuredText;
import io.groundstate.detectors.vec.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a request's context becomes for scoring: its basis states (the context split into sentences or windows,
 * structured records into statements, clustered into semantic states), the zero point of this encoder and
 * context, the index of its words with their vectors for soft support, and the prefetch lists that let a
 * streaming host embed all of it before the first sentence needs it. Rebuilt from the chunks and the question
 * when they change or a state is restored; never stored.
 */
final class ContextModel {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final Encoder encoder;
    private final MonitorConfig config;

    ContextModel(Encoder encoder, MonitorConfig config) {
        this.encoder = encoder;
        this.config = config;
    }

    /**
     * What a new chunk adds to the texts the request's context will have embedded: its basis texts, their
     * zero-point probes and its words, and with the first chunk the question and its words. A streaming host
     * prefetches them when the chunk arrives (see {@link Encoder#prefetch}), so that the work is done before the
     * first sentence needs it. Only the new chunk's: listing the whole context again at every chunk was a tenth of
     * a stream thread's time (profiled), for texts already queued.
     */
    void prefetchChunk(RequestState state, RequestState.Chunk chunk, boolean first) {
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

    void prefetchPrompt(RequestState state) {
        encoder.prefetch(() -> promptTexts(state));
    }

    /** The question and its words, as the basis and soft support embed them. */
    List<String> promptTexts(RequestState state) {
        List<String> out = new ArrayList<>();
        out.add(state.prompt);
        out.addAll(firstOf(promptText(state).words(), config.maxContextWords()));
        return out;
    }

    static <T> List<T> firstOf(List<T> xs, int n) {
        return xs.subList(0, Math.min(xs.size(), n));
    }

    record BasisPlan(List<String> texts, List<String> owners, List<Integer> ranks, List<BasisState> embedded) {
    }

    BasisPlan basisPlan(RequestState state) {
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

    void rebuildBasis(RequestState state, boolean changed) {
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

    record ZeroPointProbe(String perturbed) {
    }

    /**
     * The per-request zero point: the energy that a context sentence has once one of its content
     * words is removed, i.e. the floor that even a faithful restatement sits at with this encoder.
     */
    static List<ZeroPointProbe> zeroPointProbes(List<String> texts) {
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

    static DerivedText derived(RequestState.Chunk c) {
        c.derived = DerivedText.of(c.derived, c.text);
        return c.derived;
    }

    static DerivedText promptText(RequestState state) {
        state.promptText = DerivedText.ofQuestion(state.promptText, state.prompt);
        return state.promptText;
    }

    List<String> basisTexts(DerivedText d) {
        if (d.basisTexts == null || d.basisWindowWords != config.windowWords()) {
            d.basisTexts = List.copyOf(basisTexts(d.statements()));
            d.basisWindowWords = config.windowWords();
        }
        return d.basisTexts;
    }

    /** Context text (records already flattened into statements) as basis states: sentences, long ones windowed. */
    List<String> basisTexts(String statements) {
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

    ContextIndex contextIndex(RequestState state) {
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
            List<RequestState.Chunk> texts = state.chunks.stream().filter(c -> c.text != null).toList();
            List<StructuredText.Fact> facts = texts.stream().flatMap(c -> StructuredText.facts(c.text).stream()).toList();
            RecordPolarity record = RecordPolarity.ofFacts(facts);
            Contradiction contradiction = Contradiction.of(texts.stream().map(c -> derived(c).statements()).toList(),
                    facts);
            state.contextIndex = new ContextIndex(state.chunks.size(), state.prompt, vocab, record, contradiction);
        }
        return state.contextIndex;
    }

    /**
     * Soft support of each lexically unsupported word: its encoder cosine to the closest word of the
     * context, so that a paraphrase ("customers" for "reviews") counts as partly supported. Numbers
     * get none: a number is supported exactly or not at all.
     */
    Map<String, Double> softSupport(RequestState state, List<ContentToken> unsupported) {
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
    List<String> contextWordList(RequestState state) {
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

    void addCapped(List<String> words, Set<String> into) {
        for (String w : words) {
            if (into.size() >= config.maxContextWords()) {
                return;
            }
            into.add(w);
        }
    }
}
