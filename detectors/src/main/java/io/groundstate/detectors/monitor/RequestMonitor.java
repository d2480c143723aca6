package io.groundstate.detectors.monitor;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.monitor.MonitorEvent.ContextChunk;
import io.groundstate.detectors.monitor.MonitorEvent.RequestFinished;
import io.groundstate.detectors.monitor.MonitorEvent.RequestStarted;
import io.groundstate.detectors.monitor.MonitorEvent.SpanEmbedding;
import io.groundstate.detectors.monitor.MonitorEvent.TokenDelta;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.monitor.RequestState.SentenceRecord;
import io.groundstate.detectors.text.Sentence;
import io.groundstate.detectors.text.SentenceSegmenter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The one implementation of detection. A deterministic state machine: {@link #process} applies one
 * event to a request's state and returns what it emits. Streaming, replay and evaluation all drive it.
 *
 * <p>Events may come in any order a real stream produces: context after tokens (sentences wait
 * for context, and are re-scored at the end when later context changed the basis), repeated
 * deltas (ignored), gaps (held, then skipped when too many deltas queue behind them or the
 * request ends), and no finish at all (the host calls {@link #expire}).
 *
 * <p>It orchestrates four parts: {@link EventAssembly} (events into the response, chunks and limits),
 * {@link ContextModel} (the basis, zero point, word index and prefetch lists), {@link SentenceScoring} (each
 * sentence's features, probability and spans) and {@link AlertPolicy} (every alert kind and the verdict).
 */
public final class RequestMonitor {
    public static final String DETECTOR_VERSION = "groundstate-detectors/1";
    private static final int MAX_SENTENCE_CHARS = 800;

    private final Encoder encoder;
    private final Combiner combiner;
    private final MonitorConfig config;
    private final EventAssembly assembly;
    private final AlertPolicy alerts;
    private final ContextModel context;
    private final SentenceScoring scoring;

    /**
     * @param emitClock supplies alert emit times; replay passes event time through it so output is deterministic
     */
    public RequestMonitor(Encoder encoder, Combiner combiner, MonitorConfig config, LongSupplier emitClock) {
        this.encoder = encoder;
        this.combiner = combiner;
        this.config = config;
        this.assembly = new EventAssembly(config, encoder);
        this.alerts = new AlertPolicy(combiner, config, encoder.id(), emitClock);
        this.context = new ContextModel(encoder, config);
        this.scoring = new SentenceScoring(encoder, combiner, config, context, alerts);
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
            assembly.start(state, e);
            if (state.prompt != null && !state.chunks.isEmpty()) {
                context.prefetchPrompt(state); // its chunks came first and were prefetched without it
            }
        } else if (event instanceof ContextChunk e) {
            int before = state.chunks.size();
            assembly.addChunk(state, e);
            if (state.chunks.size() > before) {
                context.prefetchChunk(state, state.chunks.get(before), before == 0);
            }
        } else if (event instanceof TokenDelta e) {
            assembly.addDelta(state, e);
        } else if (event instanceof SpanEmbedding e) {
            assembly.addSpanEmbedding(state, e);
        } else if (event instanceof RequestFinished e) {
            assembly.finish(state, e);
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

    private List<MonitorOutput> advance(RequestState state) {
        if (state.finished) {
            assembly.drain(state, true);
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
            context.rebuildBasis(state, state.basisDirty); // a restored state rebuilds the same basis, not a new version
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
                scoring.score(state, todo, out);
            }
        }
        if (state.finished) {
            out.add(alerts.verdict(state));
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

    /** Deterministic: the same request, kind and span give the same id, so consumers can de-duplicate. */
    public static String alertId(String requestId, AlertKind kind, int start, int end) {
        return AlertPolicy.alertId(requestId, kind, start, end);
    }

}
