package io.groundstate.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.schemas.Event;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.TestProcesses;
import io.groundstate.streams.cli.GroundstateCommand;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.replay.ArchivedRecord;
import io.groundstate.streams.replay.FileArchive;
import io.groundstate.streams.replay.Replayer;
import io.groundstate.streams.topology.EventMapping;
import io.groundstate.streams.topology.OutputRecords;
import io.groundstate.streams.topology.RequestRouting;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Apps whose Kafka clients partition unlike Java, on a real broker: a Python app on Debian's
 * python3-confluent-kafka and one on kcat {@code -K}, both with librdkafka's default partitioner (CRC32 of the
 * key), stream answers keyed by request id while their context is logged unkeyed on an extra topic. Ten requests
 * in flight at once, a delta sent twice, a request that never finishes, a garbage record. Each request gets
 * exactly one verdict (read_committed), and every verdict, span score and alert equals what replay produces from
 * the events the clients sent.
 */
class PartitionerClientsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path KCAT = Path.of("/usr/bin/kcat");
    static final long IDLE_MS = 10_000;
    static final int PYTHON_REQUESTS = 6;
    static final int KCAT_REQUESTS = 4;
    static Path dir;
    static EmbeddedKafka broker;
    static List<LabeledRecord> answers;

    @BeforeAll
    static void start() throws Exception {
        boolean clients = Files.isExecutable(PYTHON) && Files.isExecutable(KCAT)
                && TestProcesses.run(List.of(PYTHON.toString(), "-c", "import confluent_kafka"), null,
                Duration.ofSeconds(30)).exitCode() == 0;
        TestProcesses.requireOrSkip(clients, "kcat and python3-confluent-kafka", "kcat python3-confluent-kafka");
        dir = Files.createTempDirectory("gs-partitioners");
        broker = EmbeddedKafka.start(dir.resolve("kafka"), TestProcesses.freePort());
        try (InputStream in = GroundstateCommand.class.getResourceAsStream("/io/groundstate/streams/demo/answers.jsonl")) {
            Path file = dir.resolve("answers.jsonl");
            Files.write(file, in.readAllBytes());
            answers = LabeledRecord.read(file).subList(0, PYTHON_REQUESTS + KCAT_REQUESTS);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (dir != null) {
            EmbeddedKafka.deleteTree(dir);
        }
    }

    /**
     * An id that librdkafka places on its owner's partition, or not. Most requests are misplaced, as with any
     * librdkafka app; one of each client's is placed, so that the test sees both paths.
     */
    static String requestId(String client, int i, int partitions, boolean placed) {
        for (int j = 0; ; j++) {
            String id = client + "-" + partitions + "p-" + i + "-" + j;
            if ((RequestRouting.librdkafkaDefaultPartition(id, partitions) == RequestRouting.partitionOf(id, partitions)) == placed) {
                return id;
            }
        }
    }

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {3, 6})
    void everyRequestMeetsItsContextInOneTaskAndMatchesReplay(int partitions) throws Exception {
        String run = "clients-" + partitions + "-" + Long.toHexString(System.nanoTime());
        String events = run + ".events";
        String retrieval = run + ".retrieval";
        Map<String, Object> settings = new HashMap<>();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, run);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(dir.resolve(run + "-state")).toString());
        settings.put(GroundstateConfig.TOPIC_EVENTS, events);
        settings.put(GroundstateConfig.TOPIC_EXTRA, retrieval);
        settings.put(GroundstateConfig.TOPIC_REKEYED, run + ".rekeyed");
        settings.put(GroundstateConfig.TOPIC_ALERTS, run + ".alerts");
        settings.put(GroundstateConfig.TOPIC_SPANS, run + ".spans");
        settings.put(GroundstateConfig.TOPIC_VERDICTS, run + ".verdicts");
        settings.put(GroundstateConfig.TOPIC_DLQ, run + ".dlq");
        settings.put(GroundstateConfig.TOPICS_PARTITIONS, partitions);
        settings.put(GroundstateConfig.ALERT_KINDS, "UNGROUNDED_SPAN,FRAGILE_STATE,DRIFT"); // alerts to compare
        settings.put(GroundstateConfig.IDLE_TIMEOUT_MS, IDLE_MS);
        settings.put(GroundstateConfig.EXPIRY_INTERVAL_MS, 500L);
        settings.put(GroundstateConfig.ENCODER_DEVICE, "cpu");
        settings.put(GroundstateConfig.METRICS_ADDRESS, "127.0.0.1:0");

        // The plan: which answer each client streams, under which id; python's second never finishes, its third
        // sends a delta twice, and so does kcat's second.
        List<Map<String, Object>> pythonPlan = new ArrayList<>();
        List<LabeledRecord> kcatRequests = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            boolean python = i < PYTHON_REQUESTS;
            String id = requestId(python ? "py" : "kcat", i, partitions, i == 0 || i == PYTHON_REQUESTS);
            LabeledRecord a = answers.get(i);
            LabeledRecord renamed = new LabeledRecord(id, a.sourceId(), a.taskType(), a.model(), a.question(),
                    a.context(), a.response(), a.labels());
            if (python) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("request_id", id);
                p.put("app", "py-rag");
                p.put("model", a.model());
                p.put("question", a.question());
                p.put("chunks", Simulator.events(renamed).stream().filter(e -> e instanceof MonitorEvent.ContextChunk)
                        .map(e -> ((MonitorEvent.ContextChunk) e).text()).toList());
                p.put("response", a.response());
                p.put("finish", i != 1);
                p.put("retry_index", i == 2 ? 4 : null);
                pythonPlan.add(p);
            } else {
                kcatRequests.add(renamed);
            }
        }
        Path plan = dir.resolve(run + "-plan.jsonl");
        Files.write(plan, pythonPlan.stream().map(PartitionerClientsTest::json).toList());
        Path sentRetrieval = dir.resolve(run + "-sent-retrieval.jsonl");
        Path sentGeneration = dir.resolve(run + "-sent-generation.jsonl");
        List<String> kcatStarted = new ArrayList<>();
        List<String> kcatChunks = new ArrayList<>();
        List<String> kcatTokens = new ArrayList<>();
        for (int k = 0; k < kcatRequests.size(); k++) {
            List<MonitorEvent> es = Simulator.events(kcatRequests.get(k));
            for (MonitorEvent e : es) {
                String line = nowJson(e);
                if (e instanceof MonitorEvent.RequestStarted) {
                    kcatStarted.add(e.requestId() + "\t" + line);
                } else if (e instanceof MonitorEvent.ContextChunk) {
                    kcatChunks.add(line);
                } else {
                    kcatTokens.add(e.requestId() + "\t" + line);
                    if (k == 1 && e instanceof MonitorEvent.TokenDelta d && d.index() == 3) {
                        kcatTokens.add(e.requestId() + "\t" + line); // the same delta again
                    }
                }
            }
        }

        MonitorApp app = MonitorApp.start(new GroundstateConfig(settings), Duration.ofMinutes(2));
        try {
            // Retrieval first, as a RAG app does it: the context is logged before the answer streams. The test waits
            // until the monitor holds it, so that the order each request's events reach the monitor in is the order
            // replay reads them in.
            String bootstrap = app.bootstrapServers();
            python(bootstrap, "retrieval", events, retrieval, plan, sentRetrieval);
            kcat(bootstrap, retrieval, false, kcatChunks);
            kcat(bootstrap, events, true, kcatStarted);
            kcat(bootstrap, events, true, List.of(kcatRequests.get(0).id() + "\tnot an event")); // a dead letter
            int chunks = pythonPlan.stream().mapToInt(p -> ((List<?>) p.get("chunks")).size()).sum() + kcatChunks.size();
            MeterRegistry registry = app.observability().registry();
            ChaosTest.await(Duration.ofMinutes(2), () -> "the context in the monitor: " + eventsIn(registry),
                    () -> eventsIn(registry, "context_chunk") == chunks
                            && eventsIn(registry, "request_started") == answers.size());

            // Then every answer at once: python's deltas round robin, kcat's at the same time.
            Thread kcatTokensThread = new Thread(() -> {
                try {
                    kcat(bootstrap, events, true, kcatTokens);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            kcatTokensThread.start();
            python(bootstrap, "generation", events, retrieval, plan, sentGeneration);
            kcatTokensThread.join(TimeUnit.MINUTES.toMillis(2));

            Outputs streamed = readOutputs(bootstrap, run, answers.size());
            assertEquals(answers.size(), streamed.verdicts.size(), "one verdict per request: " + streamed.verdicts.keySet());
            assertEquals(0, streamed.duplicates, "no output twice");
            assertEquals(1, streamed.deadLetters, "the garbage record, once");
            assertClientsUsedTheirOwnPartitioner(bootstrap, events, partitions);

            // Replay of the same events: each client's records, phase by phase, in the order each client sent them.
            List<String> log = new ArrayList<>(Files.readAllLines(sentRetrieval));
            log.addAll(kcatChunks);
            kcatStarted.forEach(l -> log.add(l.substring(l.indexOf('\t') + 1)));
            log.add("not an event");
            log.addAll(Files.readAllLines(sentGeneration));
            kcatTokens.forEach(l -> log.add(l.substring(l.indexOf('\t') + 1)));
            Path logFile = Files.write(dir.resolve(run + "-log.jsonl"), log);
            Outputs replayed = replay(app, logFile);

            assertEquals(replayed.verdicts, streamed.verdicts, "verdicts equal replay's");
            assertEquals(replayed.alerts, streamed.alerts, "alerts equal replay's (but their emit time)");
            assertEquals(replayed.spans, streamed.spans, "span scores equal replay's");
            assertEquals(1, replayed.deadLetters);
            assertTrue(streamed.alerts.size() >= 3, "the answers draw alerts: " + streamed.alerts.size());
            assertEquals("idle_timeout", streamed.verdicts.get(pythonPlan.get(1).get("request_id")).get("finish_reason").asText());
            assertEquals(1, streamed.verdicts.get(pythonPlan.get(2).get("request_id")).get("duplicate_deltas").asInt());
            assertEquals(1, streamed.verdicts.get(kcatRequests.get(1).id()).get("duplicate_deltas").asInt());

            double moved = rekeyed(registry, "other_partition");
            double in = eventsIn(registry);
            System.out.printf("partitioners %d partitions: %.0f of %.0f events took the extra hop for their partition "
                    + "(%.0f%%), %.0f unkeyed, %.0f from the extra topic%n", partitions, moved, in, 100 * moved / in,
                    rekeyed(registry, "not_keyed"), rekeyed(registry, "extra_topic"));
            assertTrue(moved > 0, "misplaced records moved");
            assertEquals(chunks, rekeyed(registry, "extra_topic"));
        } finally {
            app.close();
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event as JSON, timed now: replay's clock is event time, the monitor's the wall clock. */
    static String nowJson(MonitorEvent e) {
        Event schema = EventMapping.toSchema(e);
        schema.setEventTime(Instant.now());
        return new String(EventCodec.toJsonBytes(schema), StandardCharsets.UTF_8);
    }

    static void python(String bootstrap, String phase, String events, String context, Path plan, Path sent)
            throws IOException, InterruptedException {
        Path app = Path.of("src", "test", "resources", "clients", "rag_app.py");
        TestProcesses.Result r = TestProcesses.run(List.of(PYTHON.toString(), app.toString(), bootstrap, phase, events,
                context, plan.toString(), sent.toString()), null, Duration.ofMinutes(2));
        assertEquals(0, r.exitCode(), r.output());
    }

    /** kcat as a producer, with librdkafka's default partitioner: {@code -K} splits each line into key and value. */
    static void kcat(String bootstrap, String topic, boolean keyed, List<String> lines)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(KCAT.toString(), "-P", "-b", bootstrap, "-t", topic));
        if (keyed) {
            command.addAll(List.of("-K", "\t"));
        }
        byte[] input = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        TestProcesses.Result r = TestProcesses.run(command, input, Duration.ofMinutes(2));
        assertEquals(0, r.exitCode(), r.output());
    }

    /** Each keyed record of the events topic sits where librdkafka's CRC32 put it: the test exercises the bug. */
    static void assertClientsUsedTheirOwnPartitioner(String bootstrap, String topic, int partitions) {
        int misplaced = 0;
        int records = 0;
        for (ConsumerRecord<String, byte[]> r : readAll(bootstrap, List.of(topic), "read_uncommitted")) {
            if (r.key() != null) {
                records++;
                assertEquals(RequestRouting.librdkafkaDefaultPartition(r.key(), partitions), r.partition(), r.key());
                misplaced += r.partition() != RequestRouting.partitionOf(r.key(), partitions) ? 1 : 0;
            }
        }
        assertTrue(records > 0 && misplaced > 0 && misplaced < records, misplaced + " of " + records);
    }

    static double eventsIn(MeterRegistry registry, String kind) {
        return registry.find("groundstate.events.in").tag("kind", kind).counters().stream().mapToDouble(Counter::count).sum();
    }

    static double eventsIn(MeterRegistry registry) {
        return registry.find("groundstate.events.in").counters().stream().mapToDouble(Counter::count).sum();
    }

    static double rekeyed(MeterRegistry registry, String reason) {
        return registry.find("groundstate.events.rekeyed").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    /** Outputs by identity: verdicts by request, alerts by id (emit time removed), span scores per request in order. */
    record Outputs(Map<String, JsonNode> verdicts, Map<String, JsonNode> alerts, Map<String, List<JsonNode>> spans,
                   int duplicates, int deadLetters) {
        static Outputs empty() {
            return new Outputs(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), 0, 0);
        }

        Outputs add(String kind, JsonNode n) {
            int dup = duplicates;
            switch (kind) {
                case "verdicts" -> dup += verdicts.put(n.get("request_id").asText(), n) != null ? 1 : 0;
                case "alerts" -> {
                    ((ObjectNode) n).remove("emit_time"); // the wall clock streaming, event time in replay
                    dup += alerts.put(n.get("alert_id").asText(), n) != null ? 1 : 0;
                }
                case "spans" -> spans.computeIfAbsent(n.get("request_id").asText(), k -> new ArrayList<>()).add(n);
                default -> {
                    return new Outputs(verdicts, alerts, spans, dup, deadLetters + 1);
                }
            }
            return new Outputs(verdicts, alerts, spans, dup, deadLetters);
        }
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, List<String> topics, String isolation) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String t : topics) {
                consumer.partitionsFor(t, Duration.ofSeconds(30)).forEach(i -> partitions.add(new TopicPartition(t, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * The committed outputs once every request has its verdict and nothing new has come for three seconds (a
     * duplicate would come after its original).
     */
    static Outputs readOutputs(String bootstrap, String run, int requests) throws InterruptedException {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Outputs out = Outputs.empty();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String kind : List.of("verdicts", "alerts", "spans", "dlq")) {
                consumer.partitionsFor(run + "." + kind, Duration.ofSeconds(30))
                        .forEach(i -> partitions.add(new TopicPartition(run + "." + kind, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                for (ConsumerRecord<String, byte[]> r : got) {
                    String kind = r.topic().substring(run.length() + 1);
                    out = out.add(kind, kind.equals("dlq") ? null : parse(r.value()));
                }
                if (!got.isEmpty()) {
                    quietSince = System.nanoTime();
                } else if (out.verdicts.size() >= requests && System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(3)) {
                    break;
                }
            }
        }
        return out;
    }

    static JsonNode parse(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What replay makes of the log, through the app's own encoder, as the same JSON the topics carry. */
    static Outputs replay(MonitorApp app, Path log) throws IOException, InterruptedException {
        Replayer replayer = new Replayer(new Replayer.Settings(1, IDLE_MS, 300_000),
                clock -> new RequestMonitor(app.encoder(), Combiner.shipped(), MonitorConfig.defaults().withAlertKinds(java.util.EnumSet.allOf(MonitorOutput.AlertKind.class)), clock));
        Outputs[] out = {Outputs.empty()};
        try (FileArchive archive = new FileArchive(List.of(log))) {
            replayer.run(archive, new Replayer.Sink() {
                @Override
                public void deadLetter(ArchivedRecord record, String stage, String code, String reason) {
                    out[0] = out[0].add("dlq", null);
                }

                @Override
                public void output(MonitorOutput o, Replayer.FinishedRequest finished) {
                    String kind = o instanceof MonitorOutput.Alert ? "alerts" : o instanceof MonitorOutput.SpanScore
                            ? "spans" : "verdicts";
                    out[0] = out[0].add(kind, parse(OutputRecords.toJsonBytes(OutputRecords.toRecord(o, true))));
                }
            }, () -> { });
        }
        return out[0];
    }
}
