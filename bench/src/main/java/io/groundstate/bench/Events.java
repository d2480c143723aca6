package io.groundstate.bench;

import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.topology.EventMapping;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Simulated events under a new request id and event time, for traffic generated at a chosen rate. */
final class Events {
    private Events() {
    }

    /** An event due at a time on this JVM's nanosecond clock, under the request id it is sent with. */
    record Scheduled(long atNanos, String requestId, MonitorEvent event) {
        /** Sends it as JSON, stamped with the current time as an app stamps what it sends, keyed by request id. */
        void send(KafkaProducer<String, byte[]> producer, String topic) {
            MonitorEvent e = retimed(event, requestId, System.currentTimeMillis());
            producer.send(new ProducerRecord<>(topic, requestId, EventCodec.toJsonBytes(EventMapping.toSchema(e))));
        }
    }

    /** An answer's events from {@code startNanos} on, each as far from the first as their event times are. */
    static List<Scheduled> schedule(List<MonitorEvent> events, String requestId, long startNanos) {
        List<Scheduled> out = new ArrayList<>(events.size());
        long first = events.get(0).eventTime();
        for (MonitorEvent e : events) {
            out.add(new Scheduled(startNanos + (e.eventTime() - first) * 1_000_000L, requestId, e));
        }
        return out;
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
