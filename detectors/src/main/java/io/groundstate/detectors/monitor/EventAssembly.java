package io.groundstate.detectors.monitor;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.monitor.MonitorEvent.ContextChunk;
import io.groundstate.detectors.monitor.MonitorEvent.RequestFinished;
import io.groundstate.detectors.monitor.MonitorEvent.RequestStarted;
import io.groundstate.detectors.monitor.MonitorEvent.SpanEmbedding;
import io.groundstate.detectors.monitor.MonitorEvent.TokenAlternative;
import io.groundstate.detectors.monitor.MonitorEvent.TokenDelta;
import io.groundstate.detectors.physics.Uncertainty;
import io.groundstate.detectors.vec.Vectors;
import java.util.List;

/**
 * Events into a request's state, as a real stream delivers them: the response assembled from token deltas by
 * index (repeats counted and ignored, gaps held until they close or too many deltas wait behind them), context
 * chunks and app-made span embeddings kept when usable, and the input limits, which refuse an event before it
 * changes anything.
 */
final class EventAssembly {
    private final MonitorConfig config;
    /** Whose vectors an app may send along: only this encoder's, of its dimension. */
    private final Encoder encoder;

    EventAssembly(MonitorConfig config, Encoder encoder) {
        this.config = config;
        this.encoder = encoder;
    }

    void start(RequestState state, RequestStarted e) {
        admitText(state, e.prompt());
        state.app = nonBlank(e.app(), "unknown");
        state.model = nonBlank(e.model(), "unknown");
        state.prompt = e.prompt() == null || e.prompt().isBlank() ? null : e.prompt();
        state.basisDirty |= state.prompt != null;
    }

    void finish(RequestState state, RequestFinished e) {
        state.finishReason = nonBlank(e.finishReason(), "stop");
        state.finished = true;
    }

    /** Counts the text against the request's byte limit, or rejects the event before it changes anything. */
    void admitText(RequestState state, String text) {
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

    static String nonBlank(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }

    void addChunk(RequestState state, ContextChunk e) {
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
        boolean usableVector = usableAppVector(e.embedding(), e.embeddingModel());
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

    void addDelta(RequestState state, TokenDelta e) {
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

    void drain(RequestState state, boolean skipGaps) {
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

    void addSpanEmbedding(RequestState state, SpanEmbedding e) {
        if (!usableAppVector(e.embedding(), e.embeddingModel()) || e.start() < 0 || e.end() <= e.start()) {
            state.unusableChunks++;
            return;
        }
        RequestState.AppSpan s = new RequestState.AppSpan();
        s.start = e.start();
        s.end = e.end();
        s.embedding = Vectors.normalize(e.embedding());
        state.spanEmbeddings.add(s);
    }

    /** An app's own vector is used only when this encoder made it: same model id and dimension, finite, not zero. */
    private boolean usableAppVector(float[] v, String model) {
        return v != null && encoder.id().equals(model) && v.length == encoder.dimension() && Vectors.allFinite(v)
                && Vectors.norm(v) > 0;
    }
}
