package io.groundstate.streams.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import io.groundstate.detectors.monitor.MonitorEvent.ContextChunk;
import io.groundstate.detectors.monitor.MonitorEvent.RequestFinished;
import io.groundstate.detectors.monitor.MonitorEvent.RequestStarted;
import io.groundstate.detectors.monitor.MonitorEvent.SpanEmbedding;
import io.groundstate.detectors.monitor.MonitorEvent.TokenDelta;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.metrics.GroundstateMetrics;
import io.groundstate.streams.metrics.TagValues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus: every kind of garbage, abuse and mess a real stream carries, sent between the events of good
 * requests. Each bad record becomes exactly one dead letter with its reason code, or a counted and documented
 * handling (docs/streaming.md, "Bad input"); the good requests' outputs are byte for byte those of a clean run.
 */
public class BadInputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_RECORD_BYTES = 64 * 1024;
    static Encoder encoder;
    static List<LabeledRecord> good;

    /** A record that must become one dead letter with this reason code. */
    public record Bad(String name, byte[] key, byte[] value, String code) {
    }

    @BeforeAll
    static void openEncoder() throws IOException, URISyntaxException {
        encoder = OnnxEncoder.open(EncoderSpec.of(EncoderSpec.DEFAULT_MODEL, "cpu", 8));
        good = LabeledRecord.read(Path.of(BadInputTest.class.getResource("/labeled-sample.jsonl").toURI()));
    }

    @AfterAll
    static void closeEncoder() {
        encoder.close();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] json(MonitorEvent e) {
        return EventCodec.toJsonBytes(EventMapping.toSchema(e));
    }

    static byte[] avro(MonitorEvent e) {
        return EventCodec.toAvro(EventMapping.toSchema(e));
    }

    static Bad bad(String name, String key, String value, String code) {
        return new Bad(name, key == null ? null : utf8(key), value == null ? null : utf8(value), code);
    }

    static Bad bad(String name, String key, byte[] value, String code) {
        return new Bad(name, key == null ? null : utf8(key), value, code);
    }

    /** Decode-stage garbage, keyed by a good request's id where it has a key, so a mistake would show in its outputs. */
    public static List<Bad> decodeCorpus() {
        String td = "\"kind\":\"token_delta\",\"request_id\":\"t1\",\"event_time\":5";
        String cc = "\"kind\":\"context_chunk\",\"request_id\":\"t1\",\"event_time\":5,\"chunk_id\":\"x\"";
        byte[] goodAvro = avro(new TokenDelta("t1", 5, 0, "The"));
        byte[] truncatedAvro = Arrays.copyOf(goodAvro, goodAvro.length - 3);
        byte[] foreignAvro = goodAvro.clone();
        foreignAvro[5] ^= 0x5A;
        byte[] magicThenNoise = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        byte[] goodJson = json(new TokenDelta("t1", 5, 0, "The"));
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String oversized = "{" + td + ",\"index\":0,\"text\":\"" + "x".repeat(MAX_RECORD_BYTES) + "\"}";
        List<Bad> out = new ArrayList<>(List.of(
                bad("empty record", "t1", new byte[0], "empty"),
                bad("tombstone (null value)", "t1", (byte[]) null, "empty"),
                bad("plain text", "t1", "hello world", "not_json"),
                bad("truncated JSON", "t1", Arrays.copyOf(goodJson, goodJson.length - 7), "not_json"),
                bad("JSON with trailing garbage", "t1", new String(goodJson, StandardCharsets.UTF_8) + " }{", "not_json"),
                bad("NaN literal", "t1", "{" + td + ",\"index\":0,\"text\":\"a\",\"logprob\":NaN}", "not_json"),
                bad("nesting 5,000 deep", "t1", deep, "not_json"),
                bad("JSON array", "t1", "[1,2]", "not_object"),
                bad("JSON number", "t1", "42", "not_object"),
                bad("JSON null", "t1", "null", "not_object"),
                bad("JSON string", "t1", "\"token_delta\"", "not_object"),
                bad("no kind", "t1", "{\"request_id\":\"t1\",\"event_time\":5}", "missing_kind"),
                bad("kind not a string", "t1", "{\"kind\":7,\"request_id\":\"t1\",\"event_time\":5}", "missing_kind"),
                bad("unknown kind", "t1", "{\"kind\":\"token\",\"request_id\":\"t1\",\"event_time\":5}", "unknown_kind"),
                bad("no request id", "t1", "{\"kind\":\"token_delta\",\"event_time\":5,\"index\":0,\"text\":\"a\"}",
                        "invalid_field"),
                bad("blank request id", "t1", "{\"kind\":\"token_delta\",\"request_id\":\" \",\"event_time\":5,"
                        + "\"index\":0,\"text\":\"a\"}", "invalid_field"),
                bad("request id a number", "t1", "{\"kind\":\"token_delta\",\"request_id\":1,\"event_time\":5,"
                        + "\"index\":0,\"text\":\"a\"}", "invalid_field"),
                bad("event time a word", "t1", "{\"kind\":\"token_delta\",\"request_id\":\"t1\",\"event_time\":\"soon\","
                        + "\"index\":0,\"text\":\"a\"}", "invalid_field"),
                bad("no event time", "t1", "{\"kind\":\"token_delta\",\"request_id\":\"t1\",\"index\":0,\"text\":\"a\"}",
                        "invalid_field"),
                bad("index a string", "t1", "{" + td + ",\"index\":\"3\",\"text\":\"a\"}", "invalid_field"),
                bad("index a fraction", "t1", "{" + td + ",\"index\":1.5,\"text\":\"a\"}", "invalid_field"),
                bad("negative index", "t1", "{" + td + ",\"index\":-4,\"text\":\"a\"}", "invalid_field"),
                bad("index beyond 64 bits", "t1", "{" + td + ",\"index\":1e400,\"text\":\"a\"}", "invalid_field"),
                bad("no text", "t1", "{" + td + ",\"index\":0}", "invalid_field"),
                bad("text a number", "t1", "{" + td + ",\"index\":0,\"text\":5}", "invalid_field"),
                bad("logprob a word", "t1", "{" + td + ",\"index\":0,\"text\":\"a\",\"logprob\":\"low\"}", "invalid_field"),
                bad("alternative without logprob", "t1", "{" + td + ",\"index\":0,\"text\":\"a\","
                        + "\"top_alternatives\":[{\"token\":\"b\"}]}", "invalid_field"),
                bad("unknown field", "t1", "{" + td + ",\"index\":0,\"text\":\"a\",\"extra\":1}", "invalid_field"),
                bad("rank beyond 32 bits", "t1", "{" + cc + ",\"rank\":3000000000}", "invalid_field"),
                bad("embedding an object", "t1", "{" + cc + ",\"rank\":0,\"embedding\":{\"a\":1}}", "invalid_field"),
                bad("embedding with a word", "t1", "{" + cc + ",\"rank\":0,\"embedding\":[1,\"x\"]}", "invalid_field"),
                bad("attribute not a string", "t1", "{\"kind\":\"request_started\",\"request_id\":\"t1\",\"event_time\":5,"
                        + "\"app\":\"a\",\"model\":\"m\",\"attributes\":{\"k\":1}}", "invalid_field"),
                bad("request started without app", "t1", "{\"kind\":\"request_started\",\"request_id\":\"t1\","
                        + "\"event_time\":5,\"model\":\"m\"}", "invalid_field"),
                bad("finish reason a number", "t1", "{\"kind\":\"request_finished\",\"request_id\":\"t1\","
                        + "\"event_time\":5,\"finish_reason\":7}", "invalid_field"),
                bad("span embedding without vector", "t1", "{\"kind\":\"span_embedding\",\"request_id\":\"t1\","
                        + "\"event_time\":5,\"start\":0,\"end\":3,\"embedding_model\":\"e\"}", "invalid_field"),
                bad("span ending before it starts", "t1", json(new SpanEmbedding("t1", 5, 10, 2, new float[] {1}, "e")),
                        "invalid_field"),
                bad("invalid UTF-8", "t1", new byte[] {'{', '"', 'k', (byte) 0xC0, (byte) 0xAF, '"', '}'}, "invalid_utf8"),
                bad("lone continuation byte", "t1", new byte[] {(byte) 0x80, 'a'}, "invalid_utf8"),
                bad("truncated Avro", "t1", truncatedAvro, "corrupt_avro"),
                bad("Avro of an unknown schema", "t1", foreignAvro, "unknown_schema"),
                bad("Avro magic then noise", "t1", magicThenNoise, "unknown_schema"),
                bad("oversized record", "t1", oversized, "too_large"),
                bad("garbage with no key", null, "\u0000\u0001garbage", "not_json")));
        return out;
    }

    final class Run implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> events;
        final TestOutputTopic<String, byte[]> alerts;
        final TestOutputTopic<String, byte[]> verdicts;
        final TestOutputTopic<String, byte[]> spans;
        final TestOutputTopic<byte[], byte[]> dlq;
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();

        Run(Map<String, Object> settings) throws IOException {
            Map<String, Object> m = new HashMap<>(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                    GroundstateConfig.IDLE_TIMEOUT_MS, 60_000L, GroundstateConfig.EXPIRY_INTERVAL_MS, 1_000L,
                    GroundstateConfig.MAX_RECORD_BYTES, MAX_RECORD_BYTES));
            m.putAll(settings);
            GroundstateConfig c = new GroundstateConfig(m);
            Properties p = new Properties();
            p.putAll(c.kafka());
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("gs-bad").toString());
            GroundstateMetrics metrics = new GroundstateMetrics(new TagValues(List.of(), 10), new TagValues(List.of(), 10));
            metrics.bindTo(registry);
            RequestMonitor monitor = new RequestMonitor(encoder, Combiner.shipped(),
                    MonitorConfig.defaults().withLimits(c.requestLimits()), () -> 42L);
            driver = new TopologyTestDriver(GroundstateTopology.build(c, monitor, metrics), p, Instant.ofEpochMilli(1_000_000));
            events = driver.createInputTopic("groundstate.events", new ByteArraySerializer(), new ByteArraySerializer());
            alerts = driver.createOutputTopic("groundstate.alerts", new StringDeserializer(), new ByteArrayDeserializer());
            verdicts = driver.createOutputTopic("groundstate.verdicts", new StringDeserializer(), new ByteArrayDeserializer());
            spans = driver.createOutputTopic("groundstate.spans", new StringDeserializer(), new ByteArrayDeserializer());
            dlq = driver.createOutputTopic("groundstate.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        void send(MonitorEvent e) {
            events.pipeInput(utf8(e.requestId()), json(e));
        }

        /** Every output record, per topic, as key and text, in order. */
        Map<String, List<String>> outputs() {
            Map<String, List<String>> out = new LinkedHashMap<>();
            out.put("alerts", alerts.readRecordsToList().stream().map(r -> r.key() + " " + text(r.value())).toList());
            out.put("verdicts", verdicts.readRecordsToList().stream().map(r -> r.key() + " " + text(r.value())).toList());
            out.put("spans", spans.readRecordsToList().stream().map(r -> r.key() + " " + text(r.value())).toList());
            return out;
        }

        double deadLetters(String code) {
            return registry.find("groundstate.dead.letters").tags("reason", code).counters().stream()
                    .mapToDouble(Counter::count).sum();
        }

        Map<String, JsonNode> verdictsByRequest() {
            Map<String, JsonNode> out = new TreeMap<>();
            verdicts.readRecordsToList().forEach(r -> out.put(r.key(), tree(r.value())));
            return out;
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static JsonNode tree(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String header(TestRecord<byte[], byte[]> r, String name) {
        return DeadLetters.header(r.headers(), name);
    }

    @Test
    void everyBadRecordBecomesOneDeadLetterWithItsReasonAndTheGoodRequestsAreUnchanged() throws IOException {
        List<MonitorEvent> goodEvents = Simulator.interleaved(good);
        List<Bad> corpus = decodeCorpus();
        assertTrue(corpus.size() >= 40, "corpus of " + corpus.size());
        Map<String, List<String>> clean;
        try (Run run = new Run(Map.of())) {
            goodEvents.forEach(run::send);
            clean = run.outputs();
            assertEquals(List.of(), run.dlq.readRecordsToList());
        }
        try (Run run = new Run(Map.of())) {
            int b = 0;
            for (int i = 0; i < goodEvents.size(); i++) {
                run.send(goodEvents.get(i));
                // Bad records in between, until the corpus is spent; the rest after the last good event.
                if (b < corpus.size()) {
                    Bad x = corpus.get(b++);
                    run.events.pipeInput(x.key(), x.value());
                }
            }
            while (b < corpus.size()) {
                Bad x = corpus.get(b++);
                run.events.pipeInput(x.key(), x.value());
            }
            assertEquals(clean, run.outputs(), "the good requests' alerts, spans and verdicts");
            List<TestRecord<byte[], byte[]>> dead = run.dlq.readRecordsToList();
            assertEquals(corpus.size(), dead.size(), "one dead letter per bad record");
            Map<String, Integer> perCode = new TreeMap<>();
            for (int i = 0; i < corpus.size(); i++) {
                Bad x = corpus.get(i);
                TestRecord<byte[], byte[]> d = dead.get(i);
                assertEquals(x.code(), header(d, DeadLetters.REASON_CODE), x.name() + ": " + header(d, DeadLetters.REASON));
                assertEquals(DeadLetters.STAGE_DECODE, header(d, DeadLetters.STAGE), x.name());
                assertNotNull(header(d, DeadLetters.REASON), x.name());
                assertArrayEquals(x.value(), d.value(), x.name() + ": the original bytes are kept");
                assertArrayEquals(x.key(), d.key(), x.name() + ": the original key is kept");
                perCode.merge(x.code(), 1, Integer::sum);
            }
            perCode.forEach((code, n) -> assertEquals(n, run.deadLetters(code), 1e-9, "dead letters counted as " + code));
        }
    }

    @Test
    void requestsPastTheirLimitsHaveTheExcessDeadLetteredAndAreStillJudged() throws IOException {
        try (Run run = new Run(Map.of(GroundstateConfig.MAX_TOKEN_DELTAS, 40, GroundstateConfig.MAX_CHUNKS, 3,
                GroundstateConfig.MAX_TEXT_BYTES, 20_000L))) {
            // A token flood: 100 deltas, 40 accepted.
            run.send(new RequestStarted("flood", 1, "app", "m", "What is it?", Map.of()));
            run.send(new ContextChunk("flood", 2, "c0", 0, "It is a tower in Paris.", null, null));
            for (int i = 0; i < 100; i++) {
                run.send(new TokenDelta("flood", 3 + i, i, i % 10 == 9 ? "tower. " : "Tall "));
            }
            run.send(new RequestFinished("flood", 200, "stop"));
            // Too many chunks: 5 sent, 3 accepted.
            run.send(new RequestStarted("chunks", 1, "app", "m", null, Map.of()));
            for (int c = 0; c < 5; c++) {
                run.send(new ContextChunk("chunks", 2, "c" + c, c, "Passage " + c + " about Paris.", null, null));
            }
            run.send(new TokenDelta("chunks", 3, 0, "Paris is a city."));
            run.send(new RequestFinished("chunks", 4, "stop"));
            // Too much text: a 25 KB chunk does not fit in 20,000 bytes; the small one does.
            run.send(new RequestStarted("bytes", 1, "app", "m", null, Map.of()));
            run.send(new ContextChunk("bytes", 2, "big", 0, "word ".repeat(5_000), null, null));
            run.send(new ContextChunk("bytes", 2, "small", 1, "Paris is in France.", null, null));
            run.send(new TokenDelta("bytes", 3, 0, "Paris is in France."));
            run.send(new RequestFinished("bytes", 4, "stop"));

            List<TestRecord<byte[], byte[]>> dead = run.dlq.readRecordsToList();
            Map<String, Integer> codes = new TreeMap<>();
            dead.forEach(d -> codes.merge(header(d, DeadLetters.REASON_CODE), 1, Integer::sum));
            assertEquals(Map.of("request_token_limit", 60, "request_chunk_limit", 2, "request_byte_limit", 1), codes);
            assertTrue(dead.stream().allMatch(d -> DeadLetters.STAGE_MONITOR.equals(header(d, DeadLetters.STAGE))));
            assertEquals(60, run.deadLetters("request_token_limit"), 1e-9);
            Map<String, JsonNode> verdicts = run.verdictsByRequest();
            assertEquals(List.of("bytes", "chunks", "flood"), List.copyOf(verdicts.keySet()), "every request is judged");
            assertEquals(4, verdicts.get("flood").get("sentences").asInt(), "the 40 accepted deltas: four sentences");
        }
    }

    @Test
    void messyButUsableInputIsCountedInTheVerdictNotDeadLettered() throws IOException {
        String id = "messy";
        String model = encoder.id();
        int dim = encoder.dimension();
        float[] nan = new float[dim];
        Arrays.fill(nan, Float.NaN);
        float[] infinite = new float[dim];
        infinite[0] = Float.POSITIVE_INFINITY;
        float[] zero = new float[dim];
        float[] shortVector = {1, 0, 0};
        float[] unit = new float[dim];
        unit[0] = 1;
        long future = Instant.parse("2200-01-01T00:00:00Z").toEpochMilli();
        try (Run run = new Run(Map.of())) {
            // No request_started at all; the app and model stay unknown.
            run.send(new ContextChunk(id, 2, "c0", 0, "The Eiffel Tower in Paris was completed in 1889.", null, null));
            run.send(new ContextChunk(id, 2, "c0", 0, "The same chunk id again, ignored.", null, null));
            run.events.pipeInput(utf8(id), avro(new ContextChunk(id, 2, "nan", 1, null, nan, model)));
            run.events.pipeInput(utf8(id), avro(new ContextChunk(id, 2, "inf", 2, null, infinite, model)));
            run.send(new ContextChunk(id, 2, "zero", 3, null, zero, model));
            run.send(new ContextChunk(id, 2, "short", 4, null, shortVector, model));
            run.send(new ContextChunk(id, 2, "other-model", 5, null, unit, "someone-elses/encoder"));
            run.send(new ContextChunk(id, 2, "blank", 6, "   ", null, null));
            run.send(new SpanEmbedding(id, 3, 0, 400, unit, "someone-elses/encoder"));
            run.send(new TokenDelta(id, future, 0, "The Eiffel Tower "));          // a clock 175 years ahead
            run.send(new TokenDelta(id, 0, 1, "was completed "));                  // and one at the epoch
            run.send(new TokenDelta(id, 4, 1, "was completed "));                  // a repeat
            run.send(new TokenDelta(id, 5, 3, "1889."));                           // index 2 never comes
            run.events.pipeInput((byte[]) null, json(new TokenDelta(id, 6, 4, " It is tall.")));  // no key: rekeyed
            run.events.pipeInput(utf8("wrong-key"), json(new RequestFinished(id, 7, "stop")));     // another key
            run.send(new TokenDelta(id, 8, 5, " Too late."));                       // after the finish

            assertEquals(List.of(), run.dlq.readRecordsToList(), "nothing here is garbage");
            Map<String, JsonNode> verdicts = run.verdictsByRequest();
            JsonNode v = verdicts.get(id);
            assertNotNull(v, "the request is judged: " + verdicts.keySet());
            assertEquals(1, verdicts.size(), "one verdict, the late delta changes nothing");
            assertEquals("unknown", v.get("app").asText());
            assertEquals(1, v.get("token_gaps").asInt());
            assertEquals(1, v.get("duplicate_deltas").asInt(), "the repeat (the late delta arrives after the verdict)");
            assertEquals(7, v.get("unusable_chunks").asInt(), "NaN, infinite, zero, short, other model, blank; the span of another model");
            assertTrue(v.get("sentences").asInt() >= 1);
            assertTrue(run.registry.find("groundstate.alert.latency").timers().stream()
                    .allMatch(t -> t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) >= 0), "no negative latency");
        }
    }

    @Test
    void aRequestThatNeverFinishesIsEndedByTheIdleTimeout() throws IOException {
        try (Run run = new Run(Map.of())) {
            run.send(new RequestStarted("stuck", 1, "app", "m", null, Map.of()));
            run.send(new ContextChunk("stuck", 2, "c0", 0, "Paris is in France.", null, null));
            run.send(new TokenDelta("stuck", 3, 0, "Paris is in France. And"));
            run.driver.advanceWallClockTime(Duration.ofSeconds(61));
            JsonNode v = run.verdictsByRequest().get("stuck");
            assertNotNull(v);
            assertEquals(MonitorStep.IDLE_TIMEOUT, v.get("finish_reason").asText());
        }
    }
}
