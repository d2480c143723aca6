package io.groundstate.streams.topology;

import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.schemas.ContextChunk;
import io.groundstate.schemas.Event;
import io.groundstate.schemas.EventCodec;
import io.groundstate.schemas.RequestFinished;
import io.groundstate.schemas.RequestStarted;
import io.groundstate.schemas.SchemaException;
import io.groundstate.schemas.SpanEmbedding;
import io.groundstate.schemas.TokenAlternative;
import io.groundstate.schemas.TokenDelta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Schema events to the monitor's pure events, with the checks a schema cannot express. */
public final class EventMapping {
    private EventMapping() {
    }

    /** Records above this many bytes are dead-lettered unparsed, unless configured otherwise (1 MiB, Kafka's default). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    /** A record's bytes as the schema event and the monitor's event. */
    public record Parsed(Event event, MonitorEvent monitorEvent) {
    }

    /**
     * Decodes and checks one record, for the topology and replay alike, so both dead-letter the same records
     * with the same reasons.
     *
     * @throws SchemaException with the dead-letter reason
     */
    public static Parsed parse(byte[] bytes) {
        return parse(bytes, DEFAULT_MAX_RECORD_BYTES);
    }

    /** As {@link #parse(byte[])}, with records above {@code maxRecordBytes} refused unparsed ({@code too_large}). */
    public static Parsed parse(byte[] bytes, int maxRecordBytes) {
        if (bytes != null && bytes.length > maxRecordBytes) {
            throw new SchemaException(SchemaException.Reason.TOO_LARGE, "record of " + bytes.length
                    + " bytes is over the limit of " + maxRecordBytes + " (groundstate.input.max.record.bytes)");
        }
        try {
            Event e = EventCodec.decode(bytes);
            return new Parsed(e, toMonitor(e));
        } catch (SchemaException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SchemaException(SchemaException.Reason.UNDECODABLE, "undecodable: " + e, e);
        }
    }

    /** @throws SchemaException with the reason when the event is well-formed but unusable */
    public static MonitorEvent toMonitor(Event e) {
        String id = e.getRequestId();
        if (id == null || id.isBlank()) {
            throw new SchemaException("request_id: expected a non-blank string");
        }
        long time = e.getEventTime().toEpochMilli();
        Object p = e.getPayload();
        if (p instanceof RequestStarted s) {
            Map<String, String> attrs = new HashMap<>();
            s.getAttributes().forEach((k, v) -> attrs.put(k, v));
            return new MonitorEvent.RequestStarted(id, time, s.getApp(), s.getModel(), s.getPrompt(), attrs);
        } else if (p instanceof ContextChunk c) {
            if (c.getChunkId().isBlank()) {
                throw new SchemaException("context_chunk.chunk_id: expected a non-blank string");
            }
            if (c.getRank() < 0) {
                throw new SchemaException("context_chunk.rank: expected 0 or more, got " + c.getRank());
            }
            return new MonitorEvent.ContextChunk(id, time, c.getChunkId(), c.getRank(), c.getText(),
                    floats(c.getEmbedding()), c.getEmbeddingModel());
        } else if (p instanceof TokenDelta d) {
            if (d.getIndex() < 0) {
                throw new SchemaException("token_delta.index: expected 0 or more, got " + d.getIndex());
            }
            if (d.getLogprob() != null && (d.getLogprob().isNaN() || d.getLogprob() > 0)) {
                throw new SchemaException("token_delta.logprob: expected a number <= 0, got " + d.getLogprob());
            }
            List<MonitorEvent.TokenAlternative> alts = d.getTopAlternatives() == null ? null
                    : d.getTopAlternatives().stream().map(EventMapping::alternative).toList();
            return new MonitorEvent.TokenDelta(id, time, d.getIndex(), d.getText(), d.getLogprob(), alts);
        } else if (p instanceof SpanEmbedding s) {
            if (s.getStart() < 0 || s.getEnd() <= s.getStart()) {
                throw new SchemaException("span_embedding: expected 0 <= start < end, got [" + s.getStart() + ", "
                        + s.getEnd() + ")");
            }
            return new MonitorEvent.SpanEmbedding(id, time, s.getStart(), s.getEnd(), floats(s.getEmbedding()),
                    s.getEmbeddingModel());
        } else if (p instanceof RequestFinished f) {
            return new MonitorEvent.RequestFinished(id, time, f.getFinishReason());
        }
        throw new SchemaException(SchemaException.Reason.UNDECODABLE, "unknown payload " + p.getClass().getSimpleName());
    }

    /** The schema event for a monitor event (what an instrumented app sends). */
    public static Event toSchema(MonitorEvent m) {
        Object payload;
        if (m instanceof MonitorEvent.RequestStarted s) {
            payload = RequestStarted.newBuilder().setApp(s.app()).setModel(s.model()).setPrompt(s.prompt())
                    .setAttributes(s.attributes() == null ? Map.of() : new HashMap<>(s.attributes())).build();
        } else if (m instanceof MonitorEvent.ContextChunk c) {
            payload = ContextChunk.newBuilder().setChunkId(c.chunkId()).setRank(c.rank()).setText(c.text())
                    .setEmbedding(boxed(c.embedding())).setEmbeddingModel(c.embeddingModel()).build();
        } else if (m instanceof MonitorEvent.TokenDelta d) {
            payload = TokenDelta.newBuilder().setIndex(d.index()).setText(d.text()).setLogprob(d.logprob())
                    .setTopAlternatives(d.topAlternatives() == null ? null : d.topAlternatives().stream()
                            .map(a -> new TokenAlternative(a.token(), a.logprob())).toList())
                    .build();
        } else if (m instanceof MonitorEvent.SpanEmbedding s) {
            payload = SpanEmbedding.newBuilder().setStart(s.start()).setEnd(s.end()).setEmbedding(boxed(s.embedding()))
                    .setEmbeddingModel(s.embeddingModel()).build();
        } else {
            payload = RequestFinished.newBuilder().setFinishReason(((MonitorEvent.RequestFinished) m).finishReason()).build();
        }
        return Event.newBuilder().setRequestId(m.requestId()).setEventTime(Instant.ofEpochMilli(m.eventTime()))
                .setPayload(payload).build();
    }

    private static List<Float> boxed(float[] v) {
        if (v == null) {
            return null;
        }
        List<Float> out = new ArrayList<>(v.length);
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    private static MonitorEvent.TokenAlternative alternative(TokenAlternative a) {
        if (Double.isNaN(a.getLogprob()) || a.getLogprob() > 0) {
            throw new SchemaException("token_delta.top_alternatives.logprob: expected a number <= 0, got " + a.getLogprob());
        }
        return new MonitorEvent.TokenAlternative(a.getToken(), a.getLogprob());
    }

    private static float[] floats(List<Float> v) {
        if (v == null) {
            return null;
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
