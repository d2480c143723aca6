package io.groundstate.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.topology.EventMapping;
import io.groundstate.streams.TestProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole monitor on a real single-node KRaft broker started by groundstate itself, with exactly-once:
 * a labeled answer streamed in is answered by its alert; and clients nobody here wrote (Debian's
 * python3-confluent-kafka producing, kcat consuming) talk to it.
 */
class EmbeddedBrokerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    static MonitorApp app;
    static GroundstateConfig config;

    @BeforeAll
    static void start() {
        Map<String, Object> m = new HashMap<>();
        m.put(StreamsConfig.APPLICATION_ID_CONFIG, "groundstate-it-" + SUFFIX);
        m.put(GroundstateConfig.TOPIC_EVENTS, "it-events-" + SUFFIX);
        m.put(GroundstateConfig.TOPIC_REKEYED, "it-rekeyed-" + SUFFIX);
        m.put(GroundstateConfig.TOPIC_ALERTS, "it-alerts-" + SUFFIX);
        m.put(GroundstateConfig.TOPIC_SPANS, "it-spans-" + SUFFIX);
        m.put(GroundstateConfig.TOPIC_VERDICTS, "it-verdicts-" + SUFFIX);
        m.put(GroundstateConfig.TOPIC_DLQ, "it-dlq-" + SUFFIX);
        m.put(GroundstateConfig.TOPICS_PARTITIONS, 3);
        m.put(GroundstateConfig.ALERT_KINDS, "UNGROUNDED_SPAN,FRAGILE_STATE,DRIFT"); // the sample needs every kind to alert
        m.put(GroundstateConfig.ENCODER_DEVICE, "cpu");
        m.put(GroundstateConfig.METRICS_ADDRESS, "127.0.0.1:0");
        app = MonitorApp.start(new GroundstateConfig(m), Duration.ofMinutes(2));
        config = app.config();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** The alert ids the monitor itself raises for these events. */
    static Set<String> expectedAlerts(List<MonitorEvent> events) {
        RequestMonitor direct = new RequestMonitor(app.encoder(), Combiner.shipped(), MonitorConfig.defaults()
                .withAlertKinds(java.util.EnumSet.allOf(MonitorOutput.AlertKind.class)), () -> 0L);
        RequestState state = new RequestState();
        Set<String> expected = new TreeSet<>();
        for (MonitorEvent e : events) {
            for (MonitorOutput o : direct.process(state, e)) {
                if (o instanceof MonitorOutput.Alert a) {
                    expected.add(a.alertId());
                }
            }
        }
        return expected;
    }

    @Test
    void aLabeledAnswerStreamedThroughTheBrokerRaisesTheAlertTheMonitorRaises() throws Exception {
        // the first hallucinated answer of the sample on which the monitor alerts
        LabeledRecord answer = LabeledRecord.read(Path.of(getClass().getResource("/labeled-sample.jsonl").toURI()))
                .stream().filter(r -> r.hallucinated() && !expectedAlerts(Simulator.events(r)).isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError("no hallucinated sample answer raises an alert"));
        List<MonitorEvent> events = Simulator.events(answer);
        Set<String> expected = expectedAlerts(events);

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (MonitorEvent e : events) {
                producer.send(new ProducerRecord<>(config.getString(GroundstateConfig.TOPIC_EVENTS), e.requestId(),
                        EventCodec.toAvro(EventMapping.toSchema(e))));
            }
        }
        Set<String> got = new TreeSet<>();
        JsonNode verdict = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + SUFFIX,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.getString(GroundstateConfig.TOPIC_ALERTS),
                    config.getString(GroundstateConfig.TOPIC_VERDICTS)));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (verdict == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode n = JSON.readTree(r.value());
                    assertEquals(answer.id(), r.key(), "outputs are keyed by request id");
                    if (r.topic().equals(config.getString(GroundstateConfig.TOPIC_ALERTS))) {
                        got.add(n.get("alert_id").asText());
                    } else {
                        verdict = n;
                    }
                }
            }
        }
        if (verdict == null) {
            fail("no verdict within " + WAIT);
        }
        assertEquals(expected, got, "the alerts the monitor raises, no more and no fewer");
        assertTrue(verdict.get("alerts").asInt() >= expected.size());
    }

    @Test
    void pythonConfluentKafkaProducesAndKcatConsumesTheAlert() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        boolean clients = Files.isExecutable(python) && Files.isExecutable(Path.of("/usr/bin/kcat"))
                && TestProcesses.run(List.of(python.toString(), "-c", "import confluent_kafka"), null, Duration.ofSeconds(30)).exitCode() == 0;
        TestProcesses.requireOrSkip(clients, "kcat and python3-confluent-kafka", "kcat python3-confluent-kafka");

        Path example = Path.of("..", "docs", "examples", "python_producer.py");
        String docs = Files.readString(Path.of("..", "docs", "streaming.md"));
        assertTrue(docs.contains(Files.readString(example).strip()), "docs/streaming.md shows the example the test runs");
        String requestId = "py-" + SUFFIX;
        TestProcesses.Result produced = TestProcesses.run(List.of(python.toString(), example.toString(), app.bootstrapServers(),
                config.getString(GroundstateConfig.TOPIC_EVENTS), requestId), null, Duration.ofSeconds(60));
        assertEquals(0, produced.exitCode(), produced.output());
        assertEquals(requestId, produced.output().strip().lines().reduce((a, b) -> b).orElse(""));

        long deadline = System.nanoTime() + WAIT.toNanos();
        List<JsonNode> alerts = new ArrayList<>();
        JsonNode verdict = null;
        while (verdict == null && System.nanoTime() < deadline) {
            alerts.clear();
            // the verdict first: once it is visible, so are the alerts committed with or before it
            for (String topic : List.of(GroundstateConfig.TOPIC_VERDICTS, GroundstateConfig.TOPIC_ALERTS)) {
                TestProcesses.Result consumed = TestProcesses.run(List.of("/usr/bin/kcat", "-b", app.bootstrapServers(), "-C", "-t",
                        config.getString(topic), "-o", "beginning", "-e", "-q", "-X", "isolation.level=read_committed",
                        "-f", "%k\t%s\n"), null, Duration.ofSeconds(60));
                assertEquals(0, consumed.exitCode(), consumed.output());
                for (String line : consumed.output().split("\n")) {
                    int tab = line.indexOf('\t');
                    if (tab > 0 && line.substring(0, tab).equals(requestId)) {
                        JsonNode n = JSON.readTree(line.substring(tab + 1));
                        if (topic.equals(GroundstateConfig.TOPIC_ALERTS)) {
                            alerts.add(n);
                        } else {
                            verdict = n;
                        }
                    }
                }
            }
        }
        if (verdict == null) {
            fail("kcat saw no verdict for " + requestId + " within " + WAIT);
        }
        assertTrue(verdict.get("hallucinated").asBoolean(), verdict.toString());
        JsonNode edison = alerts.stream().filter(a -> a.get("kind").asText().equals("UNGROUNDED_SPAN")).findFirst()
                .orElseThrow(() -> new AssertionError("no ungrounded-span alert: " + alerts));
        assertTrue(edison.get("text").asText().contains("Thomas Edison"), edison.toString());
        assertTrue(edison.get("attributed_tokens").toString().contains("Edison"), edison.toString());
        assertEquals("docs-example", edison.get("app").asText());
        assertEquals("example-llm", edison.get("model").asText());
        assertTrue(edison.get("nearest_chunk_id").asText().startsWith("passage-"));
        // murmur2_random puts each keyed event where Java would: none needed the extra hop
        assertEquals(0.0, app.observability().registry().find("groundstate.events.rekeyed").tag("reason", "other_partition")
                .counter().count());
    }

    @Test
    void startUpRefusesTopicsThatWouldSplitARequestsEvents() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", app.bootstrapServers()))) {
            String events = "mismatch-events-" + SUFFIX;
            String rekeyed = "mismatch-rekeyed-" + SUFFIX;
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(events, 4, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic(rekeyed, 2, (short) 1))).all().get();
            GroundstateConfig mismatched = config.with(Map.of(GroundstateConfig.TOPIC_EVENTS, events,
                    GroundstateConfig.TOPIC_REKEYED, rekeyed));
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Topics.ensure(admin, mismatched));
            assertTrue(e.getMessage().contains("has 2 partitions but " + events + " has 4"), e.getMessage());

            GroundstateConfig noCreate = config.with(Map.of(GroundstateConfig.TOPIC_EVENTS, "absent-" + SUFFIX,
                    GroundstateConfig.TOPICS_CREATE, false));
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> Topics.ensure(admin, noCreate));
            assertTrue(e.getMessage().contains("absent-" + SUFFIX), e.getMessage());

            // created from scratch, the rekeyed topic follows the events topic
            String fresh = "fresh-events-" + SUFFIX;
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(fresh, 5, (short) 1))).all().get();
            Topics.ensure(admin, config.with(Map.of(GroundstateConfig.TOPIC_EVENTS, fresh,
                    GroundstateConfig.TOPIC_REKEYED, "fresh-rekeyed-" + SUFFIX)));
            assertEquals(5, admin.describeTopics(List.of("fresh-rekeyed-" + SUFFIX)).allTopicNames().get()
                    .get("fresh-rekeyed-" + SUFFIX).partitions().size());
        }
    }
}
