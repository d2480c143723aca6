package io.groundstate.detectors.monitor;

import java.util.List;
import java.util.Map;

/** The events an instrumented app sends, as pure Java values (the streams layer maps its schemas onto these). */
public sealed interface MonitorEvent {
    String requestId();

    /** Event time in epoch milliseconds. */
    long eventTime();

    record RequestStarted(String requestId, long eventTime, String app, String model, String prompt,
                          Map<String, String> attributes) implements MonitorEvent {
    }

    record ContextChunk(String requestId, long eventTime, String chunkId, int rank, String text,
                        float[] embedding, String embeddingModel) implements MonitorEvent {
    }

    record TokenAlternative(String token, double logprob) {
    }

    record TokenDelta(String requestId, long eventTime, long index, String text, Double logprob,
                      List<TokenAlternative> topAlternatives) implements MonitorEvent {
        public TokenDelta(String requestId, long eventTime, long index, String text) {
            this(requestId, eventTime, index, text, null, null);
        }
    }

    record SpanEmbedding(String requestId, long eventTime, int start, int end, float[] embedding,
                         String embeddingModel) implements MonitorEvent {
    }

    record RequestFinished(String requestId, long eventTime, String finishReason) implements MonitorEvent {
    }
}
