package io.groundstate.detectors.monitor;

import io.groundstate.detectors.text.Attribution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.encoder.CachingEncoder;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.encoder.ForwardingEncoder;
import io.groundstate.detectors.monitor.MonitorEvent.ContextChunk;
import io.groundstate.detectors.monitor.MonitorEvent.RequestFinished;
import io.groundstate.detectors.monitor.MonitorEvent.RequestStarted;
import io.groundstate.detectors.monitor.MonitorEvent.SpanEmbedding;
import io.groundstate.detectors.monitor.MonitorEvent.TokenDelta;
import io.groundstate.detectors.monitor.MonitorOutput.Alert;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.monitor.MonitorOutput.SpanScore;
import io.groundstate.detectors.monitor.MonitorOutput.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RequestMonitorTest {
    static final String ID = "r1";
    static final String CONTEXT = "The Eiffel Tower is in Paris. It was completed in 1889. It is 330 metres tall.";
    static final String RESPONSE = "The Eiffel Tower is in Paris. It was completed in 1925 by Gustave Eiffel. It is 330 metres tall.";

    static Combiner combiner() {
        Combiner.Model sentence = new Combiner.Model(List.of("unsupported_ratio", "calibrated_energy"),
                new double[] {0.2, 0.2}, new double[] {0.2, 0.2}, new double[] {3, 1}, -1);
        Combiner.Model response = new Combiner.Model(List.of("max_unsupported_ratio"), new double[] {0.2},
                new double[] {0.2}, new double[] {3}, -1);
        Combiner.Model token = new Combiner.Model(List.of("unsupported", "sentence_logit"), new double[] {0, 0},
                new double[] {1, 1}, new double[] {6, 0.5}, -4);
        return new Combiner(new Combiner.Weights("test", "hashing/test", "hand-set", sentence, response, token,
                new Thresholds(0.6, 0.8, 0.6, 0.05, 0.1, 0.3, 0.3, 0.5, null), null));
    }

    final HashingEncoder encoder = new HashingEncoder();
    final RequestMonitor monitor = new RequestMonitor(encoder, combiner(), MonitorConfig.defaults(), () -> 42L);

    static List<TokenDelta> deltas(String text, int wordsPerDelta) {
        List<TokenDelta> out = new ArrayList<>();
        String[] parts = text.split("(?<= )");
        for (int i = 0, idx = 0; i < parts.length; i += wordsPerDelta, idx++) {
            out.add(new TokenDelta(ID, 100 + idx, idx, String.join("", List.of(parts).subList(i,
                    Math.min(parts.length, i + wordsPerDelta)))));
        }
        return out;
    }

    static RequestStarted started() {
        return new RequestStarted(ID, 1, "app", "gen", "Where is the Eiffel Tower?", Map.of());
    }

    static ContextChunk chunk() {
        return new ContextChunk(ID, 2, "c0", 0, CONTEXT, null, null);
    }

    static RequestFinished finished() {
        return new RequestFinished(ID, 1000, "stop");
    }

    List<MonitorOutput> run(List<MonitorEvent> events) {
        return run(monitor, events);
    }

    static List<MonitorOutput> run(RequestMonitor monitor, List<MonitorEvent> events) {
        RequestState state = new RequestState();
        List<MonitorOutput> out = new ArrayList<>();
        for (MonitorEvent e : events) {
            out.addAll(monitor.process(state, e));
        }
        return out;
    }

    static List<MonitorEvent> inOrder() {
        List<MonitorEvent> es = new ArrayList<>(List.of(started(), chunk()));
        es.addAll(deltas(RESPONSE, 2));
        es.add(finished());
        return es;
    }

    /** The latest score of each sentence. */
    static Map<Integer, SpanScore> finalScores(List<MonitorOutput> out) {
        Map<Integer, SpanScore> m = new TreeMap<>();
        out.stream().filter(o -> o instanceof SpanScore).map(o -> (SpanScore) o).forEach(s -> m.put(s.sentenceIndex(), s));
        return m;
    }

    static Verdict verdict(List<MonitorOutput> out) {
        List<Verdict> vs = out.stream().filter(o -> o instanceof Verdict).map(o -> (Verdict) o).toList();
        assertEquals(1, vs.size(), "exactly one verdict");
        return vs.get(0);
    }

    static List<Alert> alerts(List<MonitorOutput> out) {
        return out.stream().filter(o -> o instanceof Alert).map(o -> (Alert) o).toList();
    }

    @Test
    void flagsTheSentenceWithTheSwappedYearAndLocalisesIt() {
        List<MonitorOutput> out = run(inOrder());
        Map<Integer, SpanScore> scores = finalScores(out);
        assertEquals(3, scores.size());
        assertFalse(scores.get(0).flagged());
        assertTrue(scores.get(1).flagged());
        assertFalse(scores.get(2).flagged());
        List<String> tokens = scores.get(1).attributed().stream().map(Attribution::token).toList();
        assertTrue(tokens.contains("1925") && tokens.contains("Gustave"), tokens.toString());
        Attribution year = scores.get(1).attributed().get(0);
        assertEquals(year.token(), RESPONSE.substring(year.start(), year.end()));
        Verdict v = verdict(out);
        assertTrue(v.hallucinated());
        assertEquals(1, v.flaggedSentences());
        assertEquals(List.of("1925 by Gustave"), v.spans().stream().map(Attribution::token).toList());
        assertEquals(List.of("1925 by Gustave"), scores.get(1).spans().stream().map(Attribution::token)
                .toList(), "adjacent unsupported tokens form one localised span");
        Alert a = alerts(out).stream().filter(x -> x.kind() == AlertKind.UNGROUNDED_SPAN).findFirst().orElseThrow();
        assertEquals("It was completed in 1925 by Gustave Eiffel.", a.text());
        assertEquals(RequestMonitor.alertId(ID, AlertKind.UNGROUNDED_SPAN, a.start(), a.end()), a.alertId());
        assertEquals(42L, a.emitTime());
    }

    @Test
    void aFaithfulAnswerHasNoFlagsAndNoSpans() {
        List<MonitorEvent> es = new ArrayList<>(List.of(started(), chunk()));
        es.addAll(deltas("The Eiffel Tower is in Paris. It was completed in 1889.", 2));
        es.add(finished());
        List<MonitorOutput> out = run(es);
        Verdict v = verdict(out);
        assertFalse(v.hallucinated());
        assertEquals(List.of(), v.spans());
        assertTrue(alerts(out).stream().noneMatch(a -> a.kind() == AlertKind.UNGROUNDED_SPAN));
    }

    /** Up to groundstate.request.live.max finished states stay in a stream task's memory: they keep no basis. */
    @Test
    void aFinishedRequestKeepsNothingDerivedFromItsContext() {
        RequestState state = new RequestState();
        List<MonitorOutput> out = new ArrayList<>();
        for (MonitorEvent e : inOrder().subList(0, inOrder().size() - 1)) {
            out.addAll(monitor.process(state, e));
        }
        assertNotNull(state.basis, "scoring built the basis");
        assertNotNull(state.contextIndex, "and the context index");
        assertNotNull(state.chunks.get(0).derived);
        assertNotNull(state.runningSum, "and the drift detector's vectors");
        out.addAll(monitor.process(state, finished()));
        assertTrue(out.stream().anyMatch(o -> o instanceof Verdict));
        assertNull(state.basis); // its states, clusters and centroids
        assertNull(state.contextIndex);
        assertNull(state.chunks.get(0).derived);
        assertNull(state.previousVector);
        assertNull(state.runningSum);
        assertEquals(List.of(), monitor.process(state, deltas(" More.", 1).get(0)), "a late event changes nothing");
        assertScoresEqual(run(inOrder()), out);
    }

    @Test
    void sentencesAreScoredAsSoonAsTheyEndNotAtTheFinish() {
        RequestState state = new RequestState();
        monitor.process(state, started());
        monitor.process(state, chunk());
        List<MonitorOutput> early = new ArrayList<>();
        for (TokenDelta d : deltas("The Eiffel Tower is in Paris. It was", 1)) {
            early.addAll(monitor.process(state, d));
        }
        assertEquals(1, finalScores(early).size(), "the first sentence is scored before the request ends");
        assertTrue(early.stream().noneMatch(o -> o instanceof Verdict));
    }

    @Test
    void contextAfterTokensGivesTheSameScores() {
        List<MonitorEvent> late = new ArrayList<>(List.of(started()));
        late.addAll(deltas(RESPONSE, 2));
        late.add(chunk());
        late.add(finished());
        assertScoresEqual(run(inOrder()), run(late));
    }

    @Test
    void contextArrivingMidAnswerRescoresAtTheEnd() {
        ContextChunk first = new ContextChunk(ID, 2, "c0", 0, "The Eiffel Tower is in Paris.", null, null);
        ContextChunk second = new ContextChunk(ID, 3, "c1", 1, "It was completed in 1889. It is 330 metres tall.", null, null);
        List<MonitorEvent> es = new ArrayList<>(List.of(started(), first));
        es.addAll(deltas(RESPONSE, 2));
        es.add(second);
        es.add(finished());
        List<MonitorOutput> out = run(es);
        Map<Integer, SpanScore> scores = finalScores(out);
        assertFalse(scores.get(2).flagged(), "the height is supported once the second chunk arrived");
        assertEquals(1, verdict(out).flaggedSentences());
        List<String> ids = alerts(out).stream().map(Alert::alertId).toList();
        assertEquals(ids.size(), ids.stream().distinct().count(), "no alert is emitted twice");
    }

    @Test
    void duplicateDeltasAreIgnoredAndCounted() {
        List<MonitorEvent> es = new ArrayList<>(inOrder());
        List<TokenDelta> ds = deltas(RESPONSE, 2);
        es.add(5, ds.get(0));
        es.add(7, ds.get(2));
        List<MonitorOutput> out = run(es);
        assertScoresEqual(run(inOrder()), out);
        assertEquals(2, verdict(out).duplicateDeltas());
    }

    @Test
    void outOfOrderDeltasAreReassembled() {
        List<TokenDelta> ds = new ArrayList<>(deltas(RESPONSE, 2));
        Collections.reverse(ds);
        List<MonitorEvent> es = new ArrayList<>(List.of(started(), chunk()));
        es.addAll(ds);
        es.add(finished());
        List<MonitorOutput> out = run(es);
        assertScoresEqual(run(inOrder()), out);
        assertEquals(0, verdict(out).tokenGaps());
    }

    @Test
    void aGapIsSkippedAtTheEndAndCounted() {
        List<TokenDelta> ds = deltas(RESPONSE, 2);
        List<MonitorEvent> es = new ArrayList<>(List.of(started(), chunk()));
        for (int i = 0; i < ds.size(); i++) {
            if (i != 3) {
                es.add(ds.get(i));
            }
        }
        es.add(finished());
        List<MonitorOutput> out = run(es);
        Verdict v = verdict(out);
        assertEquals(1, v.tokenGaps());
        assertTrue(v.sentences() >= 2, "text after the gap is still scored");
    }

    @Test
    void aRequestThatNeverFinishesExpires() {
        RequestState state = new RequestState();
        List<MonitorOutput> out = new ArrayList<>();
        List<MonitorEvent> es = inOrder();
        for (MonitorEvent e : es.subList(0, es.size() - 1)) {
            out.addAll(monitor.process(state, e));
        }
        assertTrue(out.stream().noneMatch(o -> o instanceof Verdict));
        out.addAll(monitor.expire(state, "idle_timeout"));
        Verdict v = verdict(out);
        assertEquals("idle_timeout", v.finishReason());
        assertEquals(3, v.sentences(), "the unterminated last sentence is scored too");
        assertEquals(List.of(), monitor.expire(state, "idle_timeout"));
        assertEquals(List.of(), monitor.process(state, finished()), "a late finish changes nothing");
    }

    @Test
    void stateSurvivesSerialisationMidStream() {
        List<MonitorEvent> es = inOrder();
        List<MonitorOutput> straight = run(es);
        RequestState state = new RequestState();
        List<MonitorOutput> out = new ArrayList<>();
        for (int i = 0; i < es.size(); i++) {
            out.addAll(monitor.process(state, es.get(i)));
            state = RequestState.fromBytes(state.toBytes());
        }
        assertScoresEqual(straight, out);
        assertEquals(alerts(straight).stream().map(Alert::alertId).toList(), alerts(out).stream().map(Alert::alertId).toList());
    }

    @Test
    void unusableChunksAreCountedNotUsed() {
        List<MonitorEvent> es = new ArrayList<>(inOrder());
        es.add(2, new ContextChunk(ID, 2, "empty", 1, "   ", null, null));
        es.add(3, new ContextChunk(ID, 2, "foreign", 2, null, new float[128], "other-model"));
        es.add(4, new ContextChunk(ID, 2, "nan", 3, null, nanVector(), "hashing/test"));
        List<MonitorOutput> out = run(es);
        assertEquals(3, verdict(out).unusableChunks());
        assertScoresEqual(run(inOrder()), out);
    }

    static float[] nanVector() {
        float[] v = new float[128];
        v[3] = Float.NaN;
        return v;
    }

    @Test
    void theAppsOwnSentenceEmbeddingIsReusedWhenItsModelMatches() {
        List<MonitorEvent> es = new ArrayList<>(inOrder());
        float[] v = new HashingEncoder().embed(List.of("The Eiffel Tower is in Paris."))[0];
        es.add(2, new SpanEmbedding(ID, 3, 0, 29, v, "hashing/test"));
        // Re-embedded perturbations: the app's vector saves the sentence's own run. (Occlusion needs that run's
        // token states whatever the app sent.)
        RequestMonitor reembedding = new RequestMonitor(encoder, combiner(), MonitorConfig.defaults().withReembed(true),
                () -> 42L);
        run(reembedding, inOrder());
        int without = encoder.embedded;
        encoder.embedded = 0;
        run(reembedding, es);
        assertEquals(without - 1, encoder.embedded);
    }

    @Test
    void noContextMeansNoScoresButAVerdict() {
        List<MonitorEvent> es = new ArrayList<>(List.of(started()));
        es.addAll(deltas(RESPONSE, 3));
        es.add(finished());
        List<MonitorOutput> out = run(es);
        assertEquals(0, finalScores(out).size());
        assertFalse(verdict(out).hallucinated());
    }

    /** Records every text that reaches the model. */
    static final class Recorder extends HashingEncoder {
        final List<String> seen = new ArrayList<>();

        @Override
        public float[][] embed(List<String> texts) {
            seen.addAll(texts);
            return super.embed(texts);
        }
    }

    /** Prefetches at once, on the caller's thread, as if the background run had finished before the next event. */
    static final class PrefetchAtOnce extends ForwardingEncoder {
        final List<String> prefetched = new ArrayList<>();

        PrefetchAtOnce(Encoder cache) {
            super(cache);
        }

        @Override
        public float[][] embed(List<String> texts) {
            return delegate.embed(texts);
        }

        @Override
        public void prefetch(Supplier<List<String>> texts) {
            List<String> ts = texts.get();
            prefetched.addAll(ts);
            delegate.embed(ts);
        }
    }

    @Test
    void theContextIsPrefetchedWhenItArrivesAndTheBasisWaitsForASentence() {
        Recorder model = new Recorder();
        PrefetchAtOnce encoder = new PrefetchAtOnce(new CachingEncoder(model, 10_000));
        RequestMonitor m = new RequestMonitor(encoder, combiner(), MonitorConfig.defaults(), () -> 42L);
        RequestState state = new RequestState();
        m.process(state, started());
        m.process(state, chunk());
        assertEquals(new HashSet<>(encoder.prefetched), new HashSet<>(model.seen),
                "nothing but the prefetch runs at the context event");
        assertTrue(encoder.prefetched.containsAll(List.of("It was completed in 1889.", "Where is the Eiffel Tower?",
                "metres", "completed")), encoder.prefetched.toString());
        Recorder plain = new Recorder();
        RequestState other = new RequestState();
        RequestMonitor withoutPrefetch = new RequestMonitor(plain, combiner(), MonitorConfig.defaults(), () -> 42L);
        withoutPrefetch.process(other, started());
        withoutPrefetch.process(other, chunk());
        assertEquals(List.of(), plain.seen, "the basis is built for the first sentence, not at the context event");
        int before = model.seen.size();
        List<MonitorOutput> out = new ArrayList<>();
        List<MonitorEvent> rest = inOrder().subList(2, inOrder().size());
        for (MonitorEvent e : rest) {
            out.addAll(m.process(state, e));
        }
        assertOnlyTheAnswerEmbedded(model.seen.subList(before, model.seen.size()));
        assertScoresEqual(run(inOrder()), out);
        assertEquals(alerts(run(inOrder())).size(), alerts(out).size());
    }

    @Test
    void eachChunkIsPrefetchedOnceWhateverTheOrderOfTheContextAndTheQuestion() {
        ContextChunk first = new ContextChunk(ID, 2, "c0", 0, "The Eiffel Tower is in Paris.", null, null);
        ContextChunk second = new ContextChunk(ID, 3, "c1", 1, "It was completed in 1889. It is 330 metres tall.", null, null);
        for (boolean questionFirst : new boolean[] {true, false}) {
            Recorder model = new Recorder();
            PrefetchAtOnce encoder = new PrefetchAtOnce(new CachingEncoder(model, 10_000));
            RequestMonitor m = new RequestMonitor(encoder, combiner(), MonitorConfig.defaults(), () -> 42L);
            RequestState state = new RequestState();
            List<MonitorEvent> context = questionFirst ? List.of(started(), first, second) : List.of(first, second, started());
            context.forEach(e -> m.process(state, e));
            for (String sentence : List.of("The Eiffel Tower is in Paris.", "It was completed in 1889.",
                    "It is 330 metres tall.", "Where is the Eiffel Tower?")) {
                // Words that two chunks share are listed with each (a cache hit); a chunk is never listed again.
                assertEquals(1, Collections.frequency(encoder.prefetched, sentence), encoder.prefetched.toString());
            }
            assertTrue(encoder.prefetched.containsAll(List.of("The Eiffel Tower is in Paris.", "It is 330 metres tall.",
                    "Where is the Eiffel Tower?", "paris", "metres", "tower")), encoder.prefetched.toString());
            int before = model.seen.size();
            List<MonitorOutput> out = new ArrayList<>();
            for (MonitorEvent e : inOrder().subList(2, inOrder().size())) {
                out.addAll(m.process(state, e));
            }
            assertOnlyTheAnswerEmbedded(model.seen.subList(before, model.seen.size()));
            List<MonitorEvent> all = new ArrayList<>(context);
            all.addAll(inOrder().subList(2, inOrder().size()));
            assertScoresEqual(run(new RequestMonitor(new Recorder(), combiner(), MonitorConfig.defaults(), () -> 42L), all),
                    out);
        }
    }

    /** What the answer's scoring embedded comes from the answer alone: the prefetch held everything of the context. */
    static void assertOnlyTheAnswerEmbedded(List<String> embedded) {
        Set<String> answerWords = new HashSet<>(List.of(RESPONSE.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")));
        for (String t : embedded) {
            for (String w : t.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                assertTrue(w.isEmpty() || answerWords.contains(w), "embedded on demand: '" + t + "'");
            }
        }
    }

    static void assertScoresEqual(List<MonitorOutput> a, List<MonitorOutput> b) {
        Map<Integer, SpanScore> x = finalScores(a);
        Map<Integer, SpanScore> y = finalScores(b);
        assertEquals(x.keySet(), y.keySet());
        for (int k : x.keySet()) {
            assertEquals(x.get(k).probability(), y.get(k).probability(), 1e-9, "sentence " + k);
            assertEquals(x.get(k).start(), y.get(k).start());
            assertEquals(x.get(k).end(), y.get(k).end());
        }
    }
}
