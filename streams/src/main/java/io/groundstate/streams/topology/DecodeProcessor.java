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
import org.apache.kafka.streams.state.KeyValueStore;
import java.util.function.Predicate;

/**
 * Decodes raw records (Avro single-object or JSON, told apart by their bytes). A good event goes on to the
 * monitor when it already sits in the task that owns its request ({@link RequestRouting}); otherwise it goes
 * through the rekeyed topic, so that every event of a request meets the same state whichever client and
 * partitioner wrote it. Anything else becomes a dead letter and processing goes on.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {
    /** A decoded event, its kind, and the bytes it came from (a failure in the monitor dead-letters them). */
    record Decoded(MonitorEvent event, String kind, byte[] raw) {
    }

    private final boolean extraTopics;
    private final String rekeyedTopic;
    private final int partitions;
    private final String rekeySink;
    private final String dlqSink;
    private final int maxRecordBytes;
    private final GroundstateMetrics metrics;
    private ProcessorContext<Object, Object> context;
    /** Whether this task holds a request (the monitor's activity index has it); null for the extra topics. */
    private Predicate<String> heldHere;

    /**
     * @param extraTopics  whether this decoder reads the extra topics (everything it decodes is rekeyed)
     * @param rekeyedTopic the rekeyed topic, whose records were placed by groundstate's own partitioner
     * @param partitions   the rekeyed topic's partitions, which decide the task that owns a request
     */
    DecodeProcessor(boolean extraTopics, String rekeyedTopic, int partitions, String rekeySink, String dlqSink,
                    int maxRecordBytes, GroundstateMetrics metrics) {
        this.maxRecordBytes = maxRecordBytes;
        this.extraTopics = extraTopics;
        this.rekeyedTopic = rekeyedTopic;
        this.partitions = partitions;
        this.metrics = metrics;
        this.rekeySink = rekeySink;
        this.dlqSink = dlqSink;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        if (!extraTopics) {
            KeyValueStore<String, RequestActivity.Activity> activity = context.getStateStore(GroundstateTopology.ACTIVITY_STORE);
            this.heldHere = request -> activity.get(request) != null;
        }
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
        RecordMetadata where = context.recordMetadata().orElse(null);
        RequestRouting.Source source = extraTopics ? RequestRouting.Source.EXTRA
                : where != null && where.topic().equals(rekeyedTopic) ? RequestRouting.Source.REKEYED
                : RequestRouting.Source.EVENTS;
        // Inside a task every record has its metadata; without it, partition 0 is the only one there is.
        RequestRouting.Route route = RequestRouting.route(source, keyed, where == null ? 0 : where.partition(), id,
                partitions, heldHere);
        if (route.toMonitor()) {
            context.forward(record.withKey((Object) id).withValue(
                    new Decoded(monitorEvent, EventCodec.kindOf(event.getPayload()), record.value())),
                    GroundstateTopology.MONITOR);
        } else {
            context.forward(record.withKey((Object) id).withValue(EventCodec.toAvro(event)), rekeySink);
            metrics.rekeyed(route.reason());
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
