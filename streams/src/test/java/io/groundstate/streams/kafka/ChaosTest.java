package io.groundstate.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.groundstate.streams.TestProcesses;
import io.groundstate.streams.cli.GroundstateCommand;
import io.groundstate.streams.topology.EventMapping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults on a real broker while answers stream: the monitor's JVM killed with SIGKILL and restarted, the broker
 * restarted, and a second instance joining and the first leaving (two rebalances). After each, every alert the
 * monitor raises for these answers is read exactly once (read_committed, by alert id), and every request has
 * exactly one verdict. Each scenario runs {@code groundstate.chaos.repeats} times: 1 under {@code mvn verify},
 * 5 with {@code mvn -Pchaos verify}.
 */
class ChaosTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int ANSWERS = 24;
    static Path dir;
    static EmbeddedKafka broker;
    static int brokerPort;
    static Encoder encoder;
    static List<LabeledRecord> answers;

    enum Fault { SIGKILL_MONITOR, RESTART_BROKER, REBALANCE }

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("gs-chaos");
        brokerPort = TestProcesses.freePort();
        broker = EmbeddedKafka.start(dir.resolve("kafka"), brokerPort);
        encoder = OnnxEncoder.open(EncoderSpec.of(EncoderSpec.DEFAULT_MODEL, "cpu", 8));
        try (InputStream in = GroundstateCommand.class.getResourceAsStream("/io/groundstate/streams/demo/answers.jsonl")) {
            Path file = dir.resolve("answers.jsonl");
            Files.write(file, in.readAllBytes());
            answers = LabeledRecord.read(file).subList(0, ANSWERS);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (encoder != null) {
            encoder.close();
        }
        EmbeddedKafka.deleteTree(dir);
    }

    static Stream<Arguments> scenarios() {
        int repeats = Integer.getInteger("groundstate.chaos.repeats", 1);
        String only = System.getProperty("groundstate.chaos.only", "");
        return Stream.of(Fault.values()).filter(f -> only.isBlank() || List.of(only.split(",")).contains(f.name())).flatMap(f -> IntStream.rangeClosed(1, repeats).mapToObj(i -> Arguments.of(f, i)));
    }

    /** A monitor in its own JVM, as a deployment runs it. */
    static final class Monitor {
        final Process process;
        final Path log;

        Monitor(Path config, Path log) throws IOException {
            this.log = log;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                    GroundstateCommand.class.getName(), "run", "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
            process = pb.start();
        }

        void awaitRunning(int times) throws IOException, InterruptedException {
            await(Duration.ofMinutes(3), "the monitor to run (" + log + ")", () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the monitor exited: " + tail(log));
                }
                return count(log, "groundstate is running") >= times;
            });
        }
    }

    static int count(Path log, String line) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            int n = 0;
            for (int at = s.indexOf(line); at >= 0; at = s.indexOf(line, at + 1)) {
                n++;
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.substring(Math.max(0, s.length() - 5000));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static void await(Duration timeout, String what, BooleanSupplier done) throws InterruptedException {
        await(timeout, () -> what, done);
    }

    static void await(Duration timeout, Supplier<String> what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(100); // polling a condition, not waiting for time to pass
        }
    }

    static Path config(String run, String instance) throws IOException {
        Path f = dir.resolve(run + "-" + instance + ".properties");
        Files.writeString(f, String.join("\n",
                "bootstrap.servers=localhost:" + brokerPort,
                "application.id=chaos-" + run,
                "groundstate.topic.events=" + run + ".events",
                "groundstate.topic.rekeyed=" + run + ".rekeyed",
                "groundstate.topic.alerts=" + run + ".alerts",
                "groundstate.topic.spans=" + run + ".spans",
                "groundstate.topic.verdicts=" + run + ".verdicts",
                "groundstate.topic.dlq=" + run + ".dlq",
                "groundstate.metrics.address=127.0.0.1:" + TestProcesses.freePort(),
                "state.dir=" + dir.resolve("state-" + run + "-" + instance), ""));
        return f;
    }

    @ParameterizedTest(name = "{0} #{1}")
    @MethodSource("scenarios")
    void everyAlertExactlyOnceAndNoRequestLost(Fault fault, int repeat) throws Exception {
        String run = fault.name().toLowerCase().replace('_', '-') + "-" + repeat + "-" + Long.toHexString(System.nanoTime());
        List<LabeledRecord> renamed = new ArrayList<>();
        for (LabeledRecord r : answers) {
            renamed.add(new LabeledRecord(run + "-" + r.id(), r.sourceId(), r.taskType(), r.model(), r.question(),
                    r.context(), r.response(), r.labels()));
        }
        Map<String, String> described = new TreeMap<>();
        for (LabeledRecord r : renamed) {
            described.putAll(alerts(Simulator.events(r)));
        }
        Set<String> expectedAlerts = described.keySet();
        assertTrue(expectedAlerts.size() >= 5, "the answers raise alerts: " + expectedAlerts.size());

        Path logA = dir.resolve(run + "-a.log");
        Monitor a = new Monitor(config(run, "a"), logA);
        Monitor b = null;
        ConcurrentLinkedQueue<String> alerts = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> verdicts = new ConcurrentLinkedQueue<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        Sent sent = new Sent();
        Thread reader = new Thread(() -> read(run, alerts, verdicts, reading), "chaos-reader");
        try {
            a.awaitRunning(1);
            reader.start();
            Thread producer = new Thread(() -> produce(run, Simulator.interleaved(renamed), sent), "chaos-producer");
            producer.start();
            await(Duration.ofMinutes(3), "a third of the verdicts", () -> verdicts.size() >= ANSWERS / 3);
            switch (fault) {
                case SIGKILL_MONITOR -> {
                    a.process.destroyForcibly(); // SIGKILL: no close, no commit, the transaction left open
                    a.process.waitFor(30, TimeUnit.SECONDS);
                    a = new Monitor(config(run, "a"), logA);
                    a.awaitRunning(2);
                }
                case RESTART_BROKER -> {
                    broker.close();
                    broker = EmbeddedKafka.start(dir.resolve("kafka"), brokerPort);
                }
                case REBALANCE -> {
                    b = new Monitor(config(run, "b"), dir.resolve(run + "-b.log"));
                    b.awaitRunning(1);
                    await(Duration.ofMinutes(3), "half of the verdicts", () -> verdicts.size() >= ANSWERS / 2);
                    a.process.destroy(); // SIGTERM: the first instance leaves, its partitions move to the second
                    assertTrue(a.process.waitFor(60, TimeUnit.SECONDS), "the first instance shut down");
                }
                default -> throw new IllegalStateException();
            }
            producer.join(TimeUnit.MINUTES.toMillis(3));
            Monitor last = b != null ? b : a;
            await(Duration.ofMinutes(4), () -> "every verdict: " + verdicts.size() + " of " + ANSWERS + "; the test's producer: "
                    + sent + "; the monitor's log ends: " + tail(last.log), () -> {
                if (!last.process.isAlive()) {
                    throw new AssertionError("the monitor exited (" + last.process.exitValue() + ") with "
                            + verdicts.size() + " verdicts: " + tail(last.log));
                }
                return verdicts.size() >= ANSWERS;
            });
            // A little longer: a duplicate would arrive after its original.
            awaitQuiet(alerts, verdicts, Duration.ofSeconds(10));
        } finally {
            keepLogs(run);
            reading.set(false);
            reader.join(30_000);
            for (Monitor m : new Monitor[] {a, b}) {
                if (m != null && m.process.isAlive()) {
                    m.process.destroy();
                    if (!m.process.waitFor(60, TimeUnit.SECONDS)) {
                        m.process.destroyForcibly();
                    }
                }
            }
        }
        Map<String, String> missing = new TreeMap<>(described);
        missing.keySet().removeAll(alerts);
        if (!missing.isEmpty()) {
            diagnose(run, missing);
        }
        assertTrue(sent.finished && sent.failures.isEmpty(), "the test's producer: " + sent);
        assertEquals(ANSWERS, verdicts.size(), "one verdict per request: " + duplicates(verdicts));
        assertEquals(ANSWERS, new TreeSet<>(verdicts).size());
        assertEquals(expectedAlerts.size(), alerts.size(), "each alert exactly once: duplicates " + duplicates(alerts) + ", missing " + missing);
        assertEquals(expectedAlerts, new TreeSet<>(alerts), "the alerts the monitor raises, no more and no fewer");
    }

    /** The run's monitor logs, kept under target/chaos-logs whether it passed or not. */
    static void keepLogs(String run) throws IOException {
        Path kept = Files.createDirectories(Path.of("target", "chaos-logs"));
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path l : logs.filter(f -> f.getFileName().toString().startsWith(run)).toList()) {
                Files.copy(l, kept.resolve(l.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Returns once no output has arrived for {@code quiet}. */
    static void awaitQuiet(ConcurrentLinkedQueue<String> alerts, ConcurrentLinkedQueue<String> verdicts, Duration quiet)
            throws InterruptedException {
        int last = -1;
        long since = System.nanoTime();
        while (true) {
            int now = alerts.size() + verdicts.size();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > quiet.toNanos()) {
                return;
            }
            Thread.sleep(100);
        }
    }

    static Map<String, Integer> duplicates(ConcurrentLinkedQueue<String> ids) {
        Map<String, Integer> n = new TreeMap<>();
        ids.forEach(id -> n.merge(id, 1, Integer::sum));
        n.values().removeIf(c -> c == 1);
        return n;
    }

    /** The alerts the monitor raises for one request: id, and what it is (for a failure's message). */
    static Map<String, String> alerts(List<MonitorEvent> events) {
        RequestMonitor direct = new RequestMonitor(encoder, Combiner.shipped(), MonitorConfig.defaults(), () -> 0L);
        RequestState state = new RequestState();
        Map<String, String> ids = new TreeMap<>();
        for (MonitorEvent e : events) {
            for (MonitorOutput o : direct.process(state, e)) {
                if (o instanceof MonitorOutput.Alert alert) {
                    ids.put(alert.alertId(), alert.requestId() + " " + alert.kind() + " " + alert.start() + "-"
                            + alert.end() + " after event " + e.eventTime());
                }
            }
        }
        return ids;
    }

    /** Every record of the run's output topics, committed or not, of the requests whose alerts are missing. */
    static void diagnose(String run, Map<String, String> missing) throws IOException {
        Set<String> requests = new TreeSet<>();
        missing.values().forEach(d -> requests.add(d.substring(0, d.indexOf(' '))));
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + brokerPort);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-diagnose-" + run);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        StringBuilder out = new StringBuilder();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(run + ".alerts", run + ".spans", run + ".verdicts"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (requests.contains(r.key())) {
                        out.append(r.topic()).append(' ').append(r.partition()).append('@').append(r.offset()).append(' ')
                                .append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
                    }
                }
            }
        }
        Files.writeString(Path.of("target", "chaos-logs", run + "-uncommitted.txt"), out.toString());
    }

    /** What the test's producer saw, so that a stalled run can tell a lost input from a stalled monitor. */
    static final class Sent {
        final AtomicInteger acknowledged = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        volatile boolean finished;

        @Override
        public String toString() {
            return acknowledged.get() + " events acknowledged, finished " + finished + ", failures " + failures;
        }
    }

    /** The events over about ten seconds, so that the fault lands mid-stream; retries ride out a broker restart. */
    static void produce(String run, List<MonitorEvent> events, Sent sent) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + brokerPort);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000);
        long spacing = TimeUnit.SECONDS.toNanos(10) / events.size();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events.size(); i++) {
                long wait = t0 + i * spacing - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the producer, as an app streams
                }
                MonitorEvent e = events.get(i);
                producer.send(new ProducerRecord<>(run + ".events", e.requestId(), EventCodec.toJsonBytes(EventMapping.toSchema(e))),
                        (metadata, error) -> {
                            if (error == null) {
                                sent.acknowledged.incrementAndGet();
                            } else {
                                sent.failures.add(error.toString());
                            }
                        });
            }
            producer.flush();
            sent.finished = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            sent.failures.add(e.toString());
        }
    }

    static void read(String run, ConcurrentLinkedQueue<String> alerts, ConcurrentLinkedQueue<String> verdicts,
                     AtomicBoolean reading) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + brokerPort);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            // Assigned, not subscribed: with no group of its own the reader has nothing to rejoin after a broker
            // restart, so a stall cannot be the test's. It was subscribed once, and its group, moved by a restart,
            // read again from its last commit; a record at a position already read still counts once.
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(run + ".alerts", run + ".verdicts")) {
                consumer.partitionsFor(topic, Duration.ofSeconds(60)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Set<String> positions = new java.util.HashSet<>();
            while (reading.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!positions.add(r.topic() + "-" + r.partition() + "@" + r.offset())) {
                        continue;
                    }
                    JsonNode n = JSON.readTree(r.value());
                    if (r.topic().endsWith(".alerts")) {
                        alerts.add(n.get("alert_id").asText());
                    } else {
                        verdicts.add(n.get("request_id").asText());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
