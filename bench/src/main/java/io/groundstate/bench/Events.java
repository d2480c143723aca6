package io.groundstate.bench;

import io.groundstate.detectors.monitor.MonitorEvent;

/** Simulated events under a new request id and event time, for traffic generated at a chosen rate. */
final class Events {
    private Events() {
    }

    static MonitorEvent retimed(MonitorEvent e, String requestId, long eventTime) {
        if (e instanceof MonitorEvent.RequestStarted s) {
            return new MonitorEvent.RequestStarted(requestId, eventTime, s.app(), s.model(), s.prompt(), s.attributes());
        } else if (e instanceof MonitorEvent.ContextChunk c) {
            return new MonitorEvent.ContextChunk(requestId, eventTime, c.chunkId(), c.rank(), c.text(), c.embedding(),
                    c.embeddingModel());
        } else if (e instanceof MonitorEvent.TokenDelta t) {
            return new MonitorEvent.TokenDelta(requestId, eventTime, t.index(), t.text(), t.logprob(), t.topAlternatives());
        } else if (e instanceof MonitorEvent.SpanEmbedding s) {
            return new MonitorEvent.SpanEmbedding(requestId, eventTime, s.start(), s.end(), s.embedding(), s.embeddingModel());
        } else if (e instanceof MonitorEvent.RequestFinished f) {
            return new MonitorEvent.RequestFinished(requestId, eventTime, f.finishReason());
        }
        throw new IllegalArgumentException("unknown event " + e.getClass());
    }
}
