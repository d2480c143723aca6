package io.groundstate.streams.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.onnx.OnnxEncoder;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.metrics.GroundstateMetrics;
import io.groundstate.streams.metrics.TagValues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The topology on TopologyTestDriver with the real encoder: ordering, faults, dead letters, stores. */
class TopologyTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Encoder encoder;
    static List<LabeledRecord> records;

    TopologyTestDriver driver;
    TestInputTopic<byte[], byte[]> events;
    TestInputTopic<byte[], byte[]> extra;
    TestOutputTopic<String, byte[]> alerts;
    TestOutputTopic<String, byte[]> verdicts;
    TestOutputTopic<String, byte[]> spans;
    TestOutputTopic<byte[], byte[]> dlq;
    SimpleMeterRegistry registry;

    @BeforeAll
    static void openEncoder() throws IOException, URISyntaxException {
        encoder = OnnxEncoder.open(EncoderSpec.of(EncoderSpec.DEFAULT_MODEL, "cpu", 8));
        records = LabeledRecord.read(Path.of(TopologyTest.class.getResource("/labeled-sample.jsonl").toURI()));
    }

    @AfterAll
    static void closeEncoder() {
        encoder.close();
    }

    static GroundstateConfig config(Map<String, Object> extraSettings) {
        Map<String, Object> m = new java.util.HashMap<>(Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                GroundstateConfig.TOPIC_EXTRA, "retrieval.log",
                GroundstateConfig.IDLE_TIMEOUT_MS, 60_000L,
                GroundstateConfig.RETENTION_MS, 120_000L,
                GroundstateConfig.EXPIRY_INTERVAL_MS, 1_000L));
        m.putAll(extraSettings);
        return new GroundstateConfig(m);
    }

    static RequestMonitor monitor() {
        return new RequestMonitor(encoder, Combiner.shipped(), MonitorConfig.defaults().withAlertKinds(java.util.EnumSet.allOf(MonitorOutput.AlertKind.class)), () -> 42L);
    }

    void start(GroundstateConfig c) throws IOException {
        start(c, 1);
    }

    /** @param partitions the partitions the topology routes by; the driver reads every topic at partition 0 */
    void start(GroundstateConfig c, int partitions) throws IOException {
        Properties p = new Properties();
        p.putAll(c.kafka());
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("gs-ttd").toString());
        registry = new SimpleMeterRegistry();
        GroundstateMetrics metrics = new GroundstateMetrics(new TagValues(List.of(), 10), new TagValues(List.of(), 10));
        metrics.bindTo(registry);
        driver = new TopologyTestDriver(GroundstateTopology.build(c, monitor(), metrics, partitions), p,
                Instant.ofEpochMilli(1_000_000));
        events = driver.createInputTopic("groundstate.events", new ByteArraySerializer(), new ByteArraySerializer());
        extra = driver.createInputTopic("retrieval.log", new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic("groundstate.alerts", new StringDeserializer(), new ByteArrayDeserializer());
        verdicts = driver.createOutputTopic("groundstate.verdicts", new StringDeserializer(), new ByteArrayDeserializer());
        spans = driver.createOutputTopic("groundstate.spans", new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic("groundstate.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] wire(MonitorEvent e, boolean avro) {
        var schema = EventMapping.toSchema(e);
        return avro ? EventCodec.toAvro(schema) : EventCodec.toJsonBytes(schema);
    }

    void send(List<MonitorEvent> list) {
        for (int i = 0; i < list.size(); i++) {
            MonitorEvent e = list.get(i);
            events.pipeInput(utf8(e.requestId()), wire(e, i % 2 == 0)); // both wire forms, interleaved
        }
    }

    double count(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    static JsonNode json(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<JsonNode> values(TestOutputTopic<String, byte[]> topic) {
        return topic.readValuesToList().stream().map(TopologyTest::json).toList();
    }

    /** What the monitor itself produces for these events, in order: the topology must not add or lose anything. */
    static List<MonitorOutput> direct(List<MonitorEvent> list) {
        RequestMonitor m = monitor();
        RequestState s = new RequestState();
        List<MonitorOutput> out = new ArrayList<>();
        list.forEach(e -> out.addAll(m.process(s, e)));
        return out;
    }

    static Set<String> alertIds(List<MonitorOutput> outs) {
        return outs.stream().filter(o -> o instanceof MonitorOutput.Alert)
                .map(o -> ((MonitorOutput.Alert) o).alertId()).collect(Collectors.toCollection(TreeSet::new));
    }

    static LabeledRecord record(String id) {
        return records.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    KeyValueStore<String, byte[]> stateStore() {
        return ((RequestStateStore) driver.getStateStore(GroundstateTopology.STATE_STORE)).persisted();
    }

    KeyValueStore<String, RequestActivity.Activity> activityStore() {
        return driver.getKeyValueStore(GroundstateTopology.ACTIVITY_STORE);
    }

    /** The first id {@code prefix-N} that the owner function places (or not) on partition 0 of {@code partitions}. */
    static String idOwnedBy(String prefix, boolean byPartitionZero, int partitions) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if ((RequestRouting.partitionOf(id, partitions) == 0) == byPartitionZero) {
                return id;
            }
        }
    }

    static List<MonitorEvent> eventsAs(LabeledRecord r, String id) {
        return Simulator.events(new LabeledRecord(id, r.sourceId(), r.taskType(), r.model(), r.question(), r.context(),
                r.response(), r.labels()));
    }

    @Test
    void aRequestReadOffItsOwnersPartitionTakesTheRekeyedTopicAndOneReadThereDoesNot() throws IOException {
        // The driver reads everything at partition 0: with three partitions, a request owned by partition 1 or 2 is
        // where a librdkafka producer's CRC32 partitioner puts most keys, on another task than its owner. The driver
        // also has one task for all partitions, so once the first event has arrived through the rekeyed topic the
        // request is held by the task reading the rest; across real tasks each would move (PartitionerClientsTest).
        start(config(Map.of()), 3);
        TestOutputTopic<String, byte[]> rekeyed = driver.createOutputTopic("groundstate.events.rekeyed",
                new StringDeserializer(), new ByteArrayDeserializer());
        LabeledRecord r = records.stream().filter(LabeledRecord::hallucinated).findFirst().orElseThrow();
        String placed = idOwnedBy("placed", true, 3);
        String moved = idOwnedBy("moved", false, 3);
        List<MonitorEvent> placedEvents = eventsAs(r, placed);
        List<MonitorEvent> movedEvents = eventsAs(r, moved);
        send(placedEvents);
        assertTrue(rekeyed.isEmpty(), "a record on its owner's partition pays no extra hop");
        assertEquals(0, count("groundstate.events.rekeyed"));
        send(movedEvents);
        List<TestRecord<String, byte[]>> hopped = rekeyed.readRecordsToList();
        assertEquals(1, hopped.size(), "the first misplaced event, once");
        assertEquals(moved, hopped.get(0).key());
        assertEquals(1, count("groundstate.events.rekeyed", "reason", "other_partition"));

        List<JsonNode> v = values(verdicts);
        assertEquals(List.of(placed, moved), v.stream().map(n -> n.get("request_id").asText()).toList(),
                "one verdict each");
        assertEquals(alertIds(direct(movedEvents)), values(alerts).stream()
                .filter(n -> n.get("request_id").asText().equals(moved)).map(n -> n.get("alert_id").asText())
                .collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(v.get(0).get("probability"), v.get(1).get("probability"), "the same answer, the same verdict");
    }

    @Test
    void aRequestStoredBeforeTheUpgradeFinishesWhereItBeganAndNewRequestsMove() throws IOException {
        LabeledRecord r = records.stream().filter(LabeledRecord::hallucinated).findFirst().orElseThrow();
        String inFlight = idOwnedBy("in-flight", false, 3);
        List<MonitorEvent> all = eventsAs(r, inFlight);
        int half = all.size() / 2;
        // Before the upgrade every keyed record went to the monitor of the task that read it: this task holds the
        // first half of a request it does not own.
        start(config(Map.of()), 1);
        send(all.subList(0, half));
        assertTrue(values(verdicts).isEmpty());
        byte[] state = stateStore().get(inFlight);
        RequestActivity.Activity activity = activityStore().get(inFlight);
        close();
        assertNotNull(state);

        start(config(Map.of()), 3);
        TestOutputTopic<String, byte[]> rekeyed = driver.createOutputTopic("groundstate.events.rekeyed", new StringDeserializer(), new ByteArrayDeserializer());
        stateStore().put(inFlight, state);
        activityStore().put(inFlight, activity);
        send(all.subList(half, all.size()));
        assertTrue(rekeyed.isEmpty(), "the rest of the request stays with the half it has");
        List<JsonNode> v = values(verdicts);
        assertEquals(1, v.size());
        MonitorOutput.Verdict expected = (MonitorOutput.Verdict) direct(all).stream()
                .filter(o -> o instanceof MonitorOutput.Verdict).findFirst().orElseThrow();
        assertEquals(expected.sentences(), v.get(0).get("sentences").asInt(), "no event lost across the upgrade");
        assertEquals(expected.probability(), v.get(0).get("probability").asDouble(), 1e-12);

        String fresh = idOwnedBy("after-upgrade", false, 3);
        send(eventsAs(r, fresh));
        assertEquals(List.of(fresh), rekeyed.readKeyValuesToList().stream().map(kv -> kv.key).toList(),
                "a request begun after the upgrade moves");
        assertEquals(List.of(fresh), values(verdicts).stream().map(n -> n.get("request_id").asText()).toList());
    }

    @Test
    void aStoredStateInAFormatThisVersionDoesNotReadRefusesTheEventAndIsKept() throws IOException {
        start(config(Map.of()));
        LabeledRecord r = records.stream().filter(LabeledRecord::hallucinated).findFirst().orElseThrow();
        List<MonitorEvent> all = Simulator.events(r);
        send(all.subList(0, 2));
        driver.advanceWallClockTime(Duration.ofMillis(100)); // a commit writes the state
        String written = new String(stateStore().get(r.id()), StandardCharsets.UTF_8);
        byte[] newer = written.replace("\"format\":1,", "\"format\":2,").getBytes(StandardCharsets.UTF_8);
        close();
        start(config(Map.of()));
        stateStore().put(r.id(), newer); // as a newer release left it, before a rollback
        send(all.subList(2, 3));
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertEquals(1, dead.size());
        assertEquals("state_unreadable", DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON_CODE));
        assertTrue(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON).contains("format 2"));
        assertEquals(1, count("groundstate.dead.letters", "stage", "monitor", "reason", "state_unreadable"));
        assertArrayEquals(newer, stateStore().get(r.id()), "kept as it was, never rewritten");
        assertTrue(values(verdicts).isEmpty());
    }

    @Test
    void describesTheGoldenTopology() throws Exception {
        String actual = GroundstateTopology.build(config(Map.of()), monitor()).describe().toString();
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(Path.of("src/test/resources/topology.txt"), actual);
        }
        String golden = Files.readString(Path.of(getClass().getResource("/topology.txt").toURI()));
        assertEquals(golden.strip(), actual.strip(), "topology changed: update src/test/resources/topology.txt on purpose");
    }

    @Test
    void everyLabeledAnswerGivesWhatTheMonitorGivesAndItsStateIsStored() throws IOException {
        start(config(Map.of()));
        int alerted = 0;
        int eventsSent = 0;
        int tokens = 0;
        int alertCount = 0;
        long sentences = 0;
        int hallucinated = 0;
        for (LabeledRecord r : records) {
            List<MonitorEvent> list = Simulator.events(r);
            send(list);
            eventsSent += list.size();
            tokens += (int) list.stream().filter(e -> e instanceof MonitorEvent.TokenDelta).count();
            List<MonitorOutput> expected = direct(list);
            List<JsonNode> gotAlerts = values(alerts);
            Set<String> ids = gotAlerts.stream().map(a -> a.get("alert_id").asText()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(alertIds(expected), ids, r.id());
            List<JsonNode> v = values(verdicts);
            assertEquals(1, v.size(), r.id());
            MonitorOutput.Verdict ev = (MonitorOutput.Verdict) expected.get(expected.size() - 1);
            assertEquals(ev.hallucinated(), v.get(0).get("hallucinated").asBoolean());
            hallucinated += ev.hallucinated() ? 1 : 0;
            assertEquals(ev.probability(), v.get(0).get("probability").asDouble(), 1e-9);
            assertEquals("stop", v.get(0).get("finish_reason").asText());
            long expectedSpans = expected.stream().filter(o -> o instanceof MonitorOutput.SpanScore).count();
            assertEquals(expectedSpans, spans.readValuesToList().size(), r.id());
            sentences += expectedSpans;
            alertCount += gotAlerts.size();
            // the request's state is in RocksDB, finished, and its activity entry says so
            RequestState stored = RequestState.fromBytes(stateStore().get(r.id()));
            assertTrue(stored.finished);
            assertEquals(r.response(), stored.response);
            assertTrue(activityStore().get(r.id()).finished());
            alerted += gotAlerts.isEmpty() ? 0 : 1;
            for (JsonNode a : gotAlerts) {
                assertEquals(r.id(), a.get("request_id").asText());
                assertTrue(a.get("end").asInt() <= r.response().length());
                assertEquals(r.response().substring(a.get("start").asInt(), a.get("end").asInt()), a.get("text").asText());
                assertEquals(42L, a.get("emit_time").asLong());
                assertNotNull(a.get("model_version").asText());
            }
        }
        assertTrue(alerted > 0, "no labeled answer raised an alert");
        assertTrue(dlq.isEmpty());
        // the meters count what the topology emitted
        assertEquals(eventsSent, count("groundstate.events.in"));
        assertEquals(tokens, count("groundstate.events.in", "kind", "token_delta"));
        assertEquals(records.size(), count("groundstate.events.in", "kind", "request_finished"));
        assertEquals(sentences, count("groundstate.sentences.scored"));
        assertEquals(sentences, registry.find("groundstate.sentence.grounding.energy").summaries().stream()
                .mapToLong(d -> d.count()).sum());
        assertEquals(alertCount, count("groundstate.alerts"));
        assertEquals(alertCount, registry.find("groundstate.alert.latency").timers().stream().mapToLong(Timer::count).sum());
        assertEquals(records.size(), count("groundstate.responses", "ended", "finished"));
        assertEquals(hallucinated, count("groundstate.responses", "hallucinated", "true"));
        assertEquals(0, count("groundstate.dead.letters"));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertEquals(0, gauge("groundstate.requests.active"), "all requests finished");
        assertEquals(records.size(), gauge("groundstate.state.requests"), "finished requests wait out the retention");
    }

    @Test
    void anAlertAsksForACommitAtOnceAndNoOtherOutputDoes() {
        long[] now = {0};
        {
            for (boolean commitOnAlert : new boolean[] {true, false}) {
                MockProcessorContext<String, Object> context = new MockProcessorContext<>();
                RequestStateStore states = RequestStateStore.builder(Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(GroundstateTopology.STATE_STORE), Serdes.String(),
                        Serdes.ByteArray())
                        .withLoggingDisabled(), 10).build();
                KeyValueStore<String, RequestActivity.Activity> activity = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(GroundstateTopology.ACTIVITY_STORE), Serdes.String(),
                        RequestActivity.Activity.SERDE)
                        .withLoggingDisabled().build();
                KeyValueStore<Bytes, byte[]> expiry = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(GroundstateTopology.EXPIRY_STORE), Serdes.Bytes(),
                        Serdes.ByteArray())
                        .withLoggingDisabled().build();
                states.init(context.getStateStoreContext(), states);
                activity.init(context.getStateStoreContext(), activity);
                expiry.init(context.getStateStoreContext(), expiry);
                context.addStateStore(states);
                context.addStateStore(activity);
                context.addStateStore(expiry);
                MonitorProcessor processor = new MonitorProcessor(monitor(), true, commitOnAlert, Duration.ofMinutes(1),
                        Duration.ofMinutes(2), Duration.ofSeconds(1), GroundstateMetrics.unbound(), () -> now[0]);
                processor.init(context);
                int alerting = 0;
                int quiet = 0;
                for (LabeledRecord r : records) {
                    for (MonitorEvent e : Simulator.events(r)) {
                        now[0] += 1_000_000_000L; // commits far apart: every alert may ask for one
                        context.setCurrentSystemTimeMs(now[0] / 1_000_000);
                        context.resetCommit();
                        context.resetForwards();
                        processor.process(new Record<>(e.requestId(), new DecodeProcessor.Decoded(e, "event", new byte[0]),
                                e.eventTime()));
                        boolean alerted = context.forwarded().stream()
                                .anyMatch(f -> f.childName().orElse("").equals(GroundstateTopology.ALERTS_SINK));
                        boolean otherOutputs = context.forwarded().stream()
                                .anyMatch(f -> !f.childName().orElse("").equals(GroundstateTopology.ALERTS_SINK));
                        alerting += alerted ? 1 : 0;
                        quiet += !alerted && otherOutputs ? 1 : 0;
                        assertEquals(commitOnAlert && alerted, context.committed(), r.id() + " at " + e);
                    }
                }
                assertTrue(alerting > 0 && quiet > 0,
                        alerting + " events alerted, " + quiet + " gave only other outputs");
            }
        }
    }

    @Test
    void contextAfterTokensGivesTheSameVerdictAsInOrder() throws IOException {
        LabeledRecord r = record("t2");
        List<MonitorEvent> inOrder = Simulator.events(r);
        List<MonitorEvent> late = new ArrayList<>();
        inOrder.stream().filter(e -> !(e instanceof MonitorEvent.ContextChunk) && !(e instanceof MonitorEvent.RequestFinished)).forEach(late::add);
        inOrder.stream().filter(e -> e instanceof MonitorEvent.ContextChunk).forEach(late::add);
        late.add(inOrder.get(inOrder.size() - 1));
        start(config(Map.of()));
        send(late);
        assertVerdictAsInOrder(inOrder);
    }

    /** The one verdict published equals the monitor's own for the events in their original order. */
    void assertVerdictAsInOrder(List<MonitorEvent> inOrder) {
        List<JsonNode> v = values(verdicts);
        assertEquals(1, v.size());
        List<MonitorOutput> direct = direct(inOrder);
        MonitorOutput.Verdict expected = (MonitorOutput.Verdict) direct.get(direct.size() - 1);
        assertEquals(expected.hallucinated(), v.get(0).get("hallucinated").asBoolean());
        assertEquals(expected.probability(), v.get(0).get("probability").asDouble(), 1e-6);
    }

    @Test
    void interleavedRequestsRestoredFromTheStoreAtEveryEventGiveTheSameAlerts() throws IOException {
        // one live request at a time: each event of the other request reads and rebuilds its state from RocksDB
        start(config(Map.of(GroundstateConfig.LIVE_REQUESTS, 1)));
        List<MonitorEvent> a = Simulator.events(record("t4"));
        List<MonitorEvent> b = Simulator.events(record("t6"));
        List<MonitorEvent> mixed = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i < a.size()) {
                mixed.add(a.get(i));
            }
            if (i < b.size()) {
                mixed.add(b.get(i));
            }
        }
        send(mixed);
        Set<String> expected = new TreeSet<>(alertIds(direct(a)));
        expected.addAll(alertIds(direct(b)));
        assertFalse(expected.isEmpty());
        assertEquals(expected, values(alerts).stream().map(n -> n.get("alert_id").asText())
                .collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(2, values(verdicts).size());
    }

    @Test
    void duplicatesAndGapsAreCountedInTheVerdict() throws IOException {
        LabeledRecord r = record("t1");
        List<MonitorEvent> list = new ArrayList<>(Simulator.events(r));
        int firstDelta = 0;
        while (!(list.get(firstDelta) instanceof MonitorEvent.TokenDelta)) {
            firstDelta++;
        }
        list.add(firstDelta + 1, list.get(firstDelta)); // a repeated delta
        list.remove(firstDelta + 3);                    // a lost one
        start(config(Map.of()));
        send(list);
        JsonNode v = values(verdicts).get(0);
        assertEquals(1, v.get("duplicate_deltas").asInt());
        assertEquals(1, v.get("token_gaps").asInt());
        // a delta after the finish is a duplicate too, and changes nothing already emitted
        MonitorEvent again = list.get(firstDelta);
        events.pipeInput(utf8(r.id()), wire(again, false));
        assertTrue(verdicts.isEmpty());
        assertEquals(2, RequestState.fromBytes(stateStore().get(r.id())).duplicates);
    }

    @Test
    void aRequestThatNeverFinishesGetsAnIdleTimeoutVerdictAndIsForgottenAfterRetention() throws IOException {
        LabeledRecord r = record("t4");
        List<MonitorEvent> list = new ArrayList<>(Simulator.events(r));
        list.remove(list.size() - 1); // no finish event
        start(config(Map.of()));
        send(list);
        assertTrue(verdicts.isEmpty());
        driver.advanceWallClockTime(Duration.ofSeconds(30));
        assertTrue(verdicts.isEmpty(), "not idle long enough yet");
        assertEquals(1, gauge("groundstate.requests.active"));
        driver.advanceWallClockTime(Duration.ofSeconds(31));
        assertEquals(1, count("groundstate.responses", "ended", "idle_timeout"));
        assertEquals(0, gauge("groundstate.requests.active"));
        assertEquals(1, gauge("groundstate.state.requests"));
        List<JsonNode> v = values(verdicts);
        assertEquals(1, v.size());
        assertEquals(MonitorStep.IDLE_TIMEOUT, v.get(0).get("finish_reason").asText());
        assertTrue(v.get(0).get("sentences").asInt() > 0);
        assertTrue(RequestState.fromBytes(stateStore().get(r.id())).finished);
        driver.advanceWallClockTime(Duration.ofSeconds(121));
        assertNull(stateStore().get(r.id()));
        assertNull(activityStore().get(r.id()));
        assertTrue(verdicts.isEmpty(), "one verdict per request");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertEquals(0, gauge("groundstate.state.requests"));
    }

    /** Activity is written at most once per step (600 ms here), yet the idle timeout counts from the last event. */
    @Test
    void theIdleTimeoutCountsFromTheLastEventThoughActivityIsWrittenLessOften() throws IOException {
        LabeledRecord r = record("t4");
        List<MonitorEvent> list = new ArrayList<>(Simulator.events(r));
        list.remove(list.size() - 1); // no finish event
        int n = list.size();
        start(config(Map.of()));
        send(list.subList(0, n - 2));
        long written = activityStore().get(r.id()).lastMs();
        driver.advanceWallClockTime(Duration.ofMillis(300));
        send(list.subList(n - 2, n - 1));
        assertEquals(written, activityStore().get(r.id()).lastMs(), "within the step");
        driver.advanceWallClockTime(Duration.ofSeconds(40));
        send(list.subList(n - 1, n));
        assertEquals(written + 40_300, activityStore().get(r.id()).lastMs());
        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertTrue(verdicts.isEmpty(), "idle for exactly the timeout, not longer");
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertEquals(MonitorStep.IDLE_TIMEOUT, values(verdicts).get(0).get("finish_reason").asText());
    }

    @Test
    void badRecordsBecomeDeadLettersWithTheirReasonAndProcessingGoesOn() throws IOException {
        start(config(Map.of()));
        byte[] garbage = {(byte) 0xC3, 0x01, 1, 2, 3};
        byte[] notJson = utf8("{\"kind\": \"token_delta\", ");
        byte[] missingField = utf8("{\"kind\":\"token_delta\",\"request_id\":\"x\",\"event_time\":1,\"text\":\"hi\"}");
        byte[] negativeIndex = utf8("{\"kind\":\"token_delta\",\"request_id\":\"x\",\"event_time\":1,\"index\":-4,\"text\":\"hi\"}");
        RecordHeaders h = new RecordHeaders();
        h.add("trace", utf8("abc"));
        events.pipeInput(new TestRecord<>(utf8("k1"), garbage, h));
        events.pipeInput(utf8("k2"), notJson);
        events.pipeInput(utf8("x"), missingField);
        events.pipeInput(utf8("x"), negativeIndex);
        events.pipeInput(utf8("x"), new byte[0]);
        send(Simulator.events(record("t5")));
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertEquals(5, dead.size());
        assertArrayEquals(garbage, dead.get(0).value());
        assertArrayEquals(utf8("k1"), dead.get(0).key());
        assertEquals("abc", DeadLetters.header(dead.get(0).headers(), "trace"), "the producer's headers are kept");
        assertEquals("groundstate.events", DeadLetters.header(dead.get(0).headers(), DeadLetters.TOPIC));
        assertEquals("0", DeadLetters.header(dead.get(0).headers(), DeadLetters.PARTITION));
        assertEquals("0", DeadLetters.header(dead.get(0).headers(), DeadLetters.OFFSET));
        assertEquals("1", DeadLetters.header(dead.get(1).headers(), DeadLetters.OFFSET));
        assertTrue(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON).contains("Avro"));
        assertTrue(DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON).startsWith("not JSON"));
        assertTrue(DeadLetters.header(dead.get(2).headers(), DeadLetters.REASON).contains("index"));
        assertTrue(DeadLetters.header(dead.get(3).headers(), DeadLetters.REASON).contains("index"));
        assertTrue(DeadLetters.header(dead.get(4).headers(), DeadLetters.REASON).contains("empty"));
        List<String> codes = dead.stream().map(d -> DeadLetters.header(d.headers(), DeadLetters.REASON_CODE)).toList();
        assertEquals(List.of("corrupt_avro", "not_json", "invalid_field", "invalid_field", "empty"), codes);
        assertEquals(1, count("groundstate.dead.letters", "stage", "decode", "reason", "not_json"));
        assertEquals(2, count("groundstate.dead.letters", "stage", "decode", "reason", "invalid_field"));
        assertEquals(5, count("groundstate.dead.letters"));
        assertEquals(0, count("groundstate.dead.letters", "reason", "undecodable"), "registered at zero");
        assertEquals(1, values(verdicts).size(), "the good request after the bad records is scored");
        assertNull(stateStore().get("x"), "nothing of a bad record reaches the state");
    }

    @Test
    void contextFromAnotherTopicWithAnotherKeyIsRekeyedToItsRequest() throws IOException {
        LabeledRecord r = record("t6");
        List<MonitorEvent> list = Simulator.events(r);
        start(config(Map.of()));
        // the retrieval service logs chunks keyed by chunk id on its own topic, before the app streams tokens
        for (MonitorEvent e : list) {
            if (e instanceof MonitorEvent.ContextChunk c) {
                extra.pipeInput(utf8("chunk-" + c.chunkId()), wire(e, false));
            }
        }
        List<MonitorEvent> rest = list.stream().filter(e -> !(e instanceof MonitorEvent.ContextChunk)).toList();
        // and one app event arrives without a key at all
        events.pipeInput((byte[]) null, wire(rest.get(0), true));
        send(rest.subList(1, rest.size()));
        RequestState stored = RequestState.fromBytes(stateStore().get(r.id()));
        assertEquals(list.stream().filter(e -> e instanceof MonitorEvent.ContextChunk).count(), stored.chunks.size());
        assertEquals(r.model(), stored.model);
        assertVerdictAsInOrder(list);
    }

    @Test
    void redactedOutputsCarryOffsetsButNoText() throws IOException {
        start(config(Map.of(GroundstateConfig.OUTPUT_TEXT, false)));
        send(Simulator.events(record("t2")));
        List<JsonNode> s = values(spans);
        assertFalse(s.isEmpty());
        for (JsonNode n : s) {
            assertTrue(n.get("text").isNull());
            assertTrue(n.get("end").asInt() > n.get("start").asInt());
        }
        values(alerts).forEach(a -> assertTrue(a.get("text").isNull()));
    }

    @Test
    void avroOutputsAreSingleObjectEncoded() throws IOException {
        start(config(Map.of(GroundstateConfig.OUTPUT_FORMAT, "avro")));
        send(Simulator.events(record("t3")));
        byte[] v = verdicts.readValue();
        assertTrue(EventCodec.isAvro(v));
        var verdict = io.groundstate.schemas.ResponseVerdict.getDecoder().decode(v);
        assertEquals("t3", verdict.getRequestId());
    }
}
