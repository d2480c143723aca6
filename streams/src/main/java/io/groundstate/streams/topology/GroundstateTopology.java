package io.groundstate.streams.topology;

import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.metrics.GroundstateMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.avro.specific.SpecificRecord;

/**
 * The streaming monitor as a function of its configuration and its monitor: decode, dead-letter, send what is
 * not keyed by request id or not on the partition that owns its request through the rekeyed topic, run the
 * per-request monitor over RocksDB state, and route its outputs.
 *
 * <pre>
 * events-source ─┐                     ┌─▶ monitor ─▶ alerts-sink, spans-sink, verdicts-sink, dlq-sink
 * rekeyed-source ┴─▶ decode ──────────┼─▶ rekey-sink (not keyed by request id, or on another partition)
 *                                      └─▶ dlq-sink
 * extra-source ─▶ decode-extra ─▶ rekey-sink-extra | dlq-sink-extra
 * </pre>
 */
public final class GroundstateTopology {
    public static final String STATE_STORE = "request-state";
    public static final String ACTIVITY_STORE = "request-activity";
    public static final String EXPIRY_STORE = "request-expiry";

    static final String EVENTS_SOURCE = "events-source";
    static final String REKEYED_SOURCE = "rekeyed-source";
    static final String EXTRA_SOURCE = "extra-source";
    static final String DECODE = "decode";
    static final String DECODE_EXTRA = "decode-extra";
    static final String MONITOR = "monitor";
    static final String REKEY_SINK = "rekey-sink";
    static final String REKEY_SINK_EXTRA = "rekey-sink-extra";
    static final String DLQ_SINK = "dlq-sink";
    static final String DLQ_SINK_EXTRA = "dlq-sink-extra";
    static final String MONITOR_DLQ_SINK = "monitor-dlq-sink";
    static final String ALERTS_SINK = "alerts-sink";
    static final String SPANS_SINK = "spans-sink";
    static final String VERDICTS_SINK = "verdicts-sink";

    private GroundstateTopology() {
    }

    /** A topology whose topics have one partition each, as TopologyTestDriver runs them. */
    public static Topology build(GroundstateConfig config, RequestMonitor monitor) {
        return build(config, monitor, GroundstateMetrics.unbound(), 1);
    }

    /** As {@link #build(GroundstateConfig, RequestMonitor)}, with metrics. */
    public static Topology build(GroundstateConfig config, RequestMonitor monitor, GroundstateMetrics metrics) {
        return build(config, monitor, metrics, 1);
    }

    /**
     * @param partitions the rekeyed topic's partitions ({@link io.groundstate.streams.kafka.Topics#ensure} returns
     *                   them): a record read from another partition than the one that owns its request takes the
     *                   rekeyed topic to the right task
     */
    public static Topology build(GroundstateConfig config, RequestMonitor monitor, GroundstateMetrics metrics,
                                 int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        String events = config.getString(GroundstateConfig.TOPIC_EVENTS);
        String rekeyed = config.getString(GroundstateConfig.TOPIC_REKEYED);
        String dlq = config.getString(GroundstateConfig.TOPIC_DLQ);
        List<String> extra = config.extraTopics();
        if (extra.contains(events) || extra.contains(rekeyed)) {
            throw new IllegalArgumentException(GroundstateConfig.TOPIC_EXTRA + " must not repeat the events or rekeyed topic");
        }
        Serializer<SpecificRecord> outputs = OutputRecords.serializer(config.avroOutput());
        Duration idle = Duration.ofMillis(config.getLong(GroundstateConfig.IDLE_TIMEOUT_MS));
        Duration retention = Duration.ofMillis(config.getLong(GroundstateConfig.RETENTION_MS));
        Duration interval = Duration.ofMillis(config.getLong(GroundstateConfig.EXPIRY_INTERVAL_MS));
        boolean withText = config.getBoolean(GroundstateConfig.OUTPUT_TEXT);
        boolean commitOnAlert = config.commitOnAlert();
        int liveRequests = config.getInt(GroundstateConfig.LIVE_REQUESTS);
        int maxRecordBytes = config.getInt(GroundstateConfig.MAX_RECORD_BYTES);

        StoreBuilder<RequestStateStore> state = RequestStateStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), Serdes.ByteArray()), liveRequests);
        StoreBuilder<KeyValueStore<String, RequestActivity.Activity>> activity = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ACTIVITY_STORE), Serdes.String(), RequestActivity.Activity.SERDE)
                .withCachingEnabled();
        StoreBuilder<KeyValueStore<Bytes, byte[]>> expiry = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EXPIRY_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingEnabled();

        Topology t = new Topology(new TopologyConfig(new StreamsConfig(config.kafka())));
        t.addSource(EVENTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), events);
        t.addSource(REKEYED_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), rekeyed);
        t.addProcessor(DECODE, () -> new DecodeProcessor(false, rekeyed, partitions, REKEY_SINK, DLQ_SINK,
                maxRecordBytes, metrics), EVENTS_SOURCE, REKEYED_SOURCE);
        t.addProcessor(MONITOR, () -> new MonitorProcessor(monitor, withText, commitOnAlert, idle, retention, interval,
                metrics), DECODE);
        t.addStateStore(state, MONITOR);
        t.addStateStore(activity, MONITOR, DECODE); // the decoder asks whether a misplaced request is held here
        t.addStateStore(expiry, MONITOR);
        t.addSink(REKEY_SINK, rekeyed, new StringSerializer(), new ByteArraySerializer(),
                RequestRouting.<byte[]>rekeyedPartitioner(), DECODE);
        t.addSink(DLQ_SINK, dlq, new ByteArraySerializer(), new ByteArraySerializer(), DECODE);
        t.addSink(MONITOR_DLQ_SINK, dlq, new StringSerializer(), new ByteArraySerializer(), MONITOR);
        t.addSink(ALERTS_SINK, config.getString(GroundstateConfig.TOPIC_ALERTS), new StringSerializer(), outputs, MONITOR);
        t.addSink(SPANS_SINK, config.getString(GroundstateConfig.TOPIC_SPANS), new StringSerializer(), outputs, MONITOR);
        t.addSink(VERDICTS_SINK, config.getString(GroundstateConfig.TOPIC_VERDICTS), new StringSerializer(), outputs,
                MONITOR);
        if (!extra.isEmpty()) {
            t.addSource(EXTRA_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), extra.toArray(String[]::new));
            t.addProcessor(DECODE_EXTRA, () -> new DecodeProcessor(true, rekeyed, partitions, REKEY_SINK_EXTRA,
                    DLQ_SINK_EXTRA, maxRecordBytes, metrics), EXTRA_SOURCE);
            t.addSink(REKEY_SINK_EXTRA, rekeyed, new StringSerializer(), new ByteArraySerializer(),
                    RequestRouting.<byte[]>rekeyedPartitioner(), DECODE_EXTRA);
            t.addSink(DLQ_SINK_EXTRA, dlq, new ByteArraySerializer(), new ByteArraySerializer(), DECODE_EXTRA);
        }
        return t;
    }
}
