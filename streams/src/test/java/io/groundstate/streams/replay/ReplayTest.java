package io.groundstate.streams.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.CachingEncoder;
import io.groundstate.detectors.encoder.CoalescingEncoder;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.onnx.OnnxEncoder;
import io.groundstate.detectors.eval.Evaluation;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.schemas.Event;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.topology.BadInputTest;
import io.groundstate.streams.topology.EventMapping;
import io.groundstate.streams.topology.GroundstateTopology;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay against the streaming topology, with the real encoder, on real RAGTruth answers. */
class ReplayTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long IDLE_MS = 60_000;
    static final long RETENTION_MS = 120_000;
    static OnnxEncoder onnx;
    static Encoder cached;
    static List<LabeledRecord> answers;

    @BeforeAll
    static void open() throws IOException {
        onnx = OnnxEncoder.open(EncoderSpec.of(EncoderSpec.DEFAULT_MODEL, "cpu", 8));
        cached = new CachingEncoder(onnx, 50_000);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(ReplayTest.class.getResourceAsStream(
                "/io/groundstate/streams/demo/answers.jsonl"), StandardCharsets.UTF_8))) {
            answers = LabeledRecord.read(r, "demo answers").subList(0, 10);
        }
    }

    @AfterAll
    static void close() {
        onnx.close();
    }

    /**
     * A messy archive: ten interleaved requests, one whose context arrives after its first tokens, one that never
     * finishes, a repeated delta, and garbage between them.
     */
    static List<byte[]> messyLog() {
        List<MonitorEvent> events = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            List<MonitorEvent> es = retimed(Simulator.events(answers.get(i)), 1_767_225_600_000L + 250L * i);
            if (i == 1) {
                MonitorEvent chunk = es.remove(1); // context after the fifth delta
                es.add(6, shift(chunk, es.get(5).eventTime()));
            }
            if (i == 2) {
                es.remove(es.size() - 1); // never finishes
            }
            if (i == 3) {
                es.add(8, es.get(7)); // a repeated delta
            }
            events.addAll(es);
        }
        events.sort(Comparator.comparingLong(MonitorEvent::eventTime));
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            lines.add(EventCodec.toJsonBytes(EventMapping.toSchema(events.get(i))));
            if (i == 40) {
                lines.add("not json at all".getBytes(StandardCharsets.UTF_8));
            }
            if (i == 90) {
                lines.add("{\"kind\":\"token_delta\",\"event_time\":1,\"index\":0,\"text\":\"x\"}"
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    static MonitorEvent shift(MonitorEvent e, long time) {
        Event schema = EventMapping.toSchema(e);
        schema.setEventTime(Instant.ofEpochMilli(time));
        return EventMapping.toMonitor(schema);
    }

    /** The requests overlap in time, as concurrent traffic does (the simulator spreads them over a day). */
    static List<MonitorEvent> retimed(List<MonitorEvent> events, long start) {
        long first = events.get(0).eventTime();
        List<MonitorEvent> out = new ArrayList<>();
        events.forEach(e -> out.add(shift(e, e.eventTime() - first + start)));
        return out;
    }

    static Path write(Path file, List<byte[]> lines) throws IOException {
        try (OutputStream o = Files.newOutputStream(file)) {
            for (byte[] l : lines) {
                o.write(l);
                o.write('\n');
            }
        }
        return file;
    }

    static Replayer replayer(Encoder encoder, int workers) {
        return new Replayer(new Replayer.Settings(workers, IDLE_MS, RETENTION_MS),
                clock -> new RequestMonitor(encoder, Combiner.shipped(), MonitorConfig.defaults().withAlertKinds(java.util.EnumSet.allOf(MonitorOutput.AlertKind.class)), clock));
    }

    record Outputs(byte[] alerts, byte[] verdicts, byte[] deadLetters, String report, Replayer.Counts counts) {
    }

    static Outputs replay(Encoder encoder, int workers, List<Path> inputs, Path dir) throws Exception {
        Files.createDirectories(dir);
        ReplayReport report = new ReplayReport(50, Combiner.shipped().thresholds());
        Replayer.Counts counts;
        try (FileArchive archive = new FileArchive(inputs);
             ReplayFiles files = new ReplayFiles(dir.resolve("alerts.jsonl"), dir.resolve("verdicts.jsonl"),
                     dir.resolve("dead.jsonl"), report, true)) {
            counts = replayer(encoder, workers).run(archive, files, () -> { });
        }
        return new Outputs(Files.readAllBytes(dir.resolve("alerts.jsonl")), Files.readAllBytes(dir.resolve("verdicts.jsonl")),
                Files.readAllBytes(dir.resolve("dead.jsonl")), report.html(List.of("test")), counts);
    }

    @Test
    void replayWritesTheAlertsTheStreamingTopologyEmitsByteForByte(@TempDir Path dir) throws Exception {
        List<byte[]> log = messyLog();
        Path file = write(dir.resolve("events.jsonl"), log);

        // The topology, fed the same records in the same order, its emit clock at each event's time as replay's is.
        AtomicLong clock = new AtomicLong();
        GroundstateConfig config = new GroundstateConfig(Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                GroundstateConfig.IDLE_TIMEOUT_MS, IDLE_MS,
                GroundstateConfig.RETENTION_MS, RETENTION_MS,
                GroundstateConfig.EXPIRY_INTERVAL_MS, 1_000L));
        Properties p = new Properties();
        p.putAll(config.kafka());
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(dir, "state").toString());
        RequestMonitor monitor = new RequestMonitor(cached, Combiner.shipped(), MonitorConfig.defaults().withAlertKinds(java.util.EnumSet.allOf(MonitorOutput.AlertKind.class)), clock::get);
        List<byte[]> streamed = new ArrayList<>();
        List<byte[]> streamedVerdicts = new ArrayList<>();
        long lastUnfinished = 0;
        try (TopologyTestDriver driver = new TopologyTestDriver(GroundstateTopology.build(config, monitor), p,
                Instant.ofEpochMilli(0))) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("groundstate.events",
                    new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> alerts = driver.createOutputTopic("groundstate.alerts",
                    new StringDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<String, byte[]> verdicts = driver.createOutputTopic("groundstate.verdicts",
                    new StringDeserializer(), new ByteArrayDeserializer());
            for (byte[] line : log) {
                byte[] key = null;
                try {
                    Event e = EventCodec.decode(line);
                    key = e.getRequestId().getBytes(StandardCharsets.UTF_8);
                    clock.set(e.getEventTime().toEpochMilli());
                    if (e.getRequestId().equals(answers.get(2).id())) {
                        lastUnfinished = Math.max(lastUnfinished, e.getEventTime().toEpochMilli());
                    }
                } catch (RuntimeException garbage) {
                    // the topology dead-letters it; so must replay
                }
                in.pipeInput(key, line);
            }
            clock.set(lastUnfinished + IDLE_MS); // the idle request's end, in replay's event time
            driver.advanceWallClockTime(Duration.ofMillis(IDLE_MS + 2_000));
            alerts.readValuesToList().forEach(streamed::add);
            verdicts.readValuesToList().forEach(streamedVerdicts::add);
        }

        Outputs replayed = replay(cached, 3, List.of(file), dir.resolve("out"));
        List<byte[]> replayedAlerts = lines(replayed.alerts());
        assertTrue(streamed.size() >= 5, "a non-trivial log draws alerts: " + streamed.size());
        assertEquals(streamed.size(), replayedAlerts.size());
        for (int i = 0; i < streamed.size(); i++) {
            assertArrayEquals(streamed.get(i), replayedAlerts.get(i), "alert " + i);
        }
        List<byte[]> replayedVerdicts = lines(replayed.verdicts());
        assertEquals(streamedVerdicts.size(), replayedVerdicts.size());
        for (int i = 0; i < streamedVerdicts.size(); i++) {
            // Verdicts carry no emit time; the idle request's is the one ended by the clock
            assertArrayEquals(streamedVerdicts.get(i), replayedVerdicts.get(i), "verdict " + i);
        }
        assertEquals(answers.size(), replayedVerdicts.size());
        JsonNode idle = replayedVerdicts.stream().map(ReplayTest::json)
                .filter(v -> v.get("request_id").asText().equals(answers.get(2).id())).findFirst().orElseThrow();
        assertEquals("idle_timeout", idle.get("finish_reason").asText());
        assertEquals(2, replayed.counts().deadLetters());
    }

    @Test
    void theSameInputGivesTheSameBytesWhateverTheNumberOfWorkers(@TempDir Path dir) throws Exception {
        Path file = write(dir.resolve("events.jsonl"), messyLog());
        // No cache here: each run computes its own vectors, batched differently by its workers.
        Outputs one = replay(new CoalescingEncoder(onnx, 64), 1, List.of(file), dir.resolve("one"));
        Outputs four = replay(new CoalescingEncoder(onnx, 64), 4, List.of(file), dir.resolve("four"));
        assertTrue(one.alerts().length > 0);
        assertArrayEquals(one.alerts(), four.alerts());
        assertArrayEquals(one.verdicts(), four.verdicts());
        assertArrayEquals(one.deadLetters(), four.deadLetters());
        assertEquals(one.report(), four.report());
    }

    @Test
    void jsonGzipAvroAndGlobsReplayAlike(@TempDir Path dir) throws Exception {
        List<MonitorEvent> events = Simulator.interleaved(answers.subList(0, 4));
        List<byte[]> lines = events.stream().map(e -> EventCodec.toJsonBytes(EventMapping.toSchema(e))).toList();
        Path json = write(dir.resolve("all.jsonl"), lines);
        Path gz = dir.resolve("all.jsonl.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(json));
        }
        Path avro = dir.resolve("all.avro");
        try (DataFileWriter<Event> w = new DataFileWriter<>(new SpecificDatumWriter<>(Event.class))) {
            w.create(Event.getClassSchema(), avro.toFile());
            for (MonitorEvent e : events) {
                w.append(EventMapping.toSchema(e));
            }
        }
        Path parts = Files.createDirectories(dir.resolve("hourly"));
        int half = lines.size() / 2;
        write(parts.resolve("events-01.jsonl"), lines.subList(0, half));
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(parts.resolve("events-02.jsonl.gz")))) {
            for (byte[] l : lines.subList(half, lines.size())) {
                o.write(l);
                o.write('\n');
            }
        }
        Outputs fromJson = replay(cached, 2, List.of(json), dir.resolve("o1"));
        assertEquals(4, lines(fromJson.verdicts()).size());
        assertArrayEquals(fromJson.verdicts(), replay(cached, 2, List.of(gz), dir.resolve("o2")).verdicts());
        assertArrayEquals(fromJson.verdicts(), replay(cached, 2, List.of(avro), dir.resolve("o3")).verdicts());
        List<Path> globbed = InputPaths.expand(List.of(parts + "/events-*"));
        assertEquals(List.of(parts.resolve("events-01.jsonl"), parts.resolve("events-02.jsonl.gz")), globbed);
        Outputs fromParts = replay(cached, 2, globbed, dir.resolve("o4"));
        assertArrayEquals(fromJson.verdicts(), fromParts.verdicts());
        assertArrayEquals(fromJson.alerts(), fromParts.alerts());
    }

    @Test
    void replayAgreesWithEvalOnTheSimulatedEvents(@TempDir Path dir) throws Exception {
        List<LabeledRecord> some = answers.subList(0, 5);
        List<byte[]> lines = new ArrayList<>();
        some.forEach(a -> Simulator.events(a).forEach(e -> lines.add(EventCodec.toJsonBytes(EventMapping.toSchema(e)))));
        Outputs replayed = replay(cached, 2, List.of(write(dir.resolve("e.jsonl"), lines)), dir.resolve("o"));
        Map<String, Double> byReplay = new HashMap<>();
        lines(replayed.verdicts()).stream().map(ReplayTest::json)
                .forEach(v -> byReplay.put(v.get("request_id").asText(), v.get("probability").asDouble()));
        RequestMonitor monitor = new RequestMonitor(cached, Combiner.shipped(), MonitorConfig.defaults().withAlertKinds(java.util.EnumSet.allOf(MonitorOutput.AlertKind.class)), () -> 0L);
        for (Evaluation.RecordResult r : Evaluation.run(some, monitor, i -> { })) {
            assertEquals(r.probability(), byReplay.get(r.record().id()), 0.0, r.record().id());
        }
    }

    @Test
    void theBadInputCorpusBetweenTheLinesChangesNoAlertAndEachLineIsOneDeadLetter(@TempDir Path dir) throws Exception {
        List<byte[]> clean = messyLog().stream().filter(l -> !garbage(l)).toList();
        // The corpus's records that can be a line of a file: not blank, no line break inside.
        List<BadInputTest.Bad> corpus = BadInputTest.decodeCorpus().stream()
                .filter(b -> b.value() != null && b.value().length > 0)
                .filter(b -> new String(b.value(), StandardCharsets.ISO_8859_1).indexOf('\n') < 0
                        && new String(b.value(), StandardCharsets.ISO_8859_1).indexOf('\r') < 0)
                .toList();
        assertTrue(corpus.size() >= 35, "lines from the corpus: " + corpus.size());
        List<byte[]> dirty = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            dirty.add(clean.get(i));
            if (i < corpus.size()) {
                dirty.add(corpus.get(i).value());
            }
        }
        Replayer.Settings settings = new Replayer.Settings(2, IDLE_MS, RETENTION_MS, BadInputTest.MAX_RECORD_BYTES);
        Outputs[] outs = new Outputs[2];
        List<List<byte[]>> logs = List.of(clean, dirty);
        for (int k = 0; k < 2; k++) {
            Path d = Files.createDirectories(dir.resolve("run" + k));
            Path file = write(d.resolve("events.jsonl"), logs.get(k));
            try (FileArchive archive = new FileArchive(List.of(file));
                 ReplayFiles files = new ReplayFiles(d.resolve("alerts.jsonl"), d.resolve("verdicts.jsonl"),
                         d.resolve("dead.jsonl"), null, true)) {
                new Replayer(settings, clock -> new RequestMonitor(cached, Combiner.shipped(), MonitorConfig.defaults(),
                        clock)).run(archive, files, () -> { });
            }
            outs[k] = new Outputs(Files.readAllBytes(d.resolve("alerts.jsonl")), Files.readAllBytes(d.resolve("verdicts.jsonl")),
                    Files.readAllBytes(d.resolve("dead.jsonl")), "", null);
        }
        assertTrue(outs[0].alerts().length > 0);
        assertArrayEquals(outs[0].alerts(), outs[1].alerts(), "alerts");
        assertArrayEquals(outs[0].verdicts(), outs[1].verdicts(), "verdicts");
        List<JsonNode> dead = lines(outs[1].deadLetters()).stream().map(ReplayTest::json).toList();
        assertEquals(corpus.size(), dead.size());
        for (int i = 0; i < corpus.size(); i++) {
            assertEquals(corpus.get(i).code(), dead.get(i).get("reason_code").asText(), corpus.get(i).name());
            assertEquals(2 * i + 2, dead.get(i).get("line").asInt(), corpus.get(i).name());
        }
    }

    /** The clean log's own garbage lines are left out, so the dirty run's dead letters are the corpus's alone. */
    static boolean garbage(byte[] line) {
        try {
            EventMapping.parse(line);
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    @Test
    void unusableLinesBecomeDeadLettersWithTheirLineAndReasonAndGoodOnesStillCount(@TempDir Path dir) throws Exception {
        List<byte[]> lines = new ArrayList<>();
        Simulator.events(answers.get(0)).forEach(e -> lines.add(EventCodec.toJsonBytes(EventMapping.toSchema(e))));
        lines.add(3, "{\"kind\":\"telepathy\",\"request_id\":\"x\",\"event_time\":1}".getBytes(StandardCharsets.UTF_8));
        lines.add(5, new byte[0]); // blank: ignored, not a dead letter
        lines.add(6, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        lines.add(9, "[1, 2, 3]".getBytes(StandardCharsets.UTF_8));
        Path good = write(dir.resolve("a.jsonl"), lines);
        // A gzip cut short: its first lines are read, then the damage is reported.
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(whole)) {
            for (MonitorEvent e : Simulator.events(answers.get(1))) {
                o.write(EventCodec.toJsonBytes(EventMapping.toSchema(e)));
                o.write('\n');
            }
        }
        byte[] full = whole.toByteArray();
        Path cut = dir.resolve("b.jsonl.gz");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length * 2 / 3));

        Outputs out;
        FileArchive archive = new FileArchive(List.of(good, cut));
        try (archive; ReplayFiles files = new ReplayFiles(dir.resolve("alerts.jsonl"), dir.resolve("verdicts.jsonl"),
                dir.resolve("dead.jsonl"), null, true)) {
            replayer(cached, 2).run(archive, files, () -> { });
        }
        assertEquals(1, archive.damagedFiles());
        List<JsonNode> dead = lines(Files.readAllBytes(dir.resolve("dead.jsonl"))).stream().map(ReplayTest::json).toList();
        assertEquals(4, dead.size(), dead.toString());
        assertEquals(4, dead.get(0).get("line").asInt());
        assertTrue(dead.get(0).get("reason").asText().contains("unknown kind \"telepathy\""), dead.get(0).toString());
        assertEquals("unknown_kind", dead.get(0).get("reason_code").asText());
        assertEquals(7, dead.get(1).get("line").asInt());
        assertTrue(dead.get(1).get("reason").asText().contains("UTF-8"));
        assertTrue(dead.get(1).has("value_base64"));
        assertEquals(10, dead.get(2).get("line").asInt());
        assertTrue(dead.get(2).get("reason").asText().contains("expected a JSON object"));
        assertEquals("not_object", dead.get(2).get("reason_code").asText());
        assertEquals(cut.toString(), dead.get(3).get("source").asText());
        assertTrue(dead.get(3).get("reason").asText().startsWith("unreadable from here on"), dead.get(3).toString());
        assertEquals("unreadable", dead.get(3).get("reason_code").asText());
        List<JsonNode> verdicts = lines(Files.readAllBytes(dir.resolve("verdicts.jsonl"))).stream()
                .map(ReplayTest::json).toList();
        // Both requests get a verdict: the first whole, the second from what was readable, ended idle.
        assertEquals(2, verdicts.size());
        assertEquals("stop", verdicts.get(0).get("finish_reason").asText());
        assertEquals("idle_timeout", verdicts.get(1).get("finish_reason").asText());
        assertFalse(dead.stream().anyMatch(d -> d.get("line").asInt() == 6), "a blank line is not a dead letter");
    }

    static List<byte[]> lines(byte[] file) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < file.length; i++) {
            if (file[i] == '\n') {
                out.add(java.util.Arrays.copyOfRange(file, from, i));
                from = i + 1;
            }
        }
        return out;
    }

    static JsonNode json(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
