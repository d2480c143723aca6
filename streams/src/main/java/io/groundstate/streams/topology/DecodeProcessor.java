package io.groundstate.streams.topology;

import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.schemas.Event;
import io.groundstate.schemas.EventCodec;
import io.groundstate.schemas.SchemaException;
import io.groundstate.streams.metrics.GroundstateMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes raw records (Avro single-object or JSON, told apart by their bytes). Good events keyed by their
 * request id go on to the monitor; good events keyed otherwise go to the rekeyed topic, so that every event
 * of a request meets the same state; anything else becomes a dead letter and processing goes on.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {
    /** A decoded event, its kind, and the bytes it came from (a failure in the monitor dead-letters them). */
    record Decoded(MonitorEvent event, String kind, byte[] raw) {
    }

    private final boolean alwaysRekey;
    private final String rekeySink;
    private final String dlqSink;
    private final int maxRecordBytes;
    private final GroundstateMetrics metrics;
    private ProcessorContext<Object, Object> context;

    DecodeProcessor(boolean alwaysRekey, String rekeySink, String dlqSink, int maxRecordBytes, GroundstateMetrics metrics) {
        this.maxRecordBytes = maxRecordBytes;
        this.alwaysRekey = alwaysRekey;
        this.metrics = metrics;
        this.rekeySink = rekeySink;
        this.dlqSink = dlqSink;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        EventMapping.Parsed parsed;
        try {
            parsed = EventMapping.parse(record.value(), maxRecordBytes);
        } catch (SchemaException e) {
            deadLetter(record, e);
            return;
        }
        Event event = parsed.event();
        MonitorEvent monitorEvent = parsed.monitorEvent();
        String id = event.getRequestId();
        boolean keyed = record.key() != null && Arrays.equals(record.key(), id.getBytes(StandardCharsets.UTF_8));
        if (keyed && !alwaysRekey) {
            context.forward(record.withKey((Object) id).withValue(
                    new Decoded(monitorEvent, EventCodec.kindOf(event.getPayload()), record.value())),
                    GroundstateTopology.MONITOR);
        } else {
            context.forward(record.withKey((Object) id).withValue(EventCodec.toAvro(event)), rekeySink);
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, SchemaException reason) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        Record<Object, Object> out = new Record<>(record.key(), record.value(), record.timestamp(),
                new RecordHeaders(record.headers().toArray()));
        String code = reason.reason().code();
        DeadLetters.annotate(out.headers(), DeadLetters.STAGE_DECODE, reason.getMessage(), code, where);
        context.forward(out, dlqSink);
        metrics.deadLetter(DeadLetters.STAGE_DECODE, code);
    }
}
