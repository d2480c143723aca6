package io.groundstate.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RoundTripTest {
    static final Instant T = Instant.ofEpochMilli(1_767_225_600_123L);

    static Stream<Event> events() {
        return Stream.of(
                event(RequestStarted.newBuilder().setApp("a").setModel("m").setPrompt("q?")
                        .setAttributes(Map.of("k", "v")).build()),
                event(RequestStarted.newBuilder().setApp("a").setModel("m").build()),
                event(ContextChunk.newBuilder().setChunkId("c1").setRank(0).setText("Paris is in France.").build()),
                event(ContextChunk.newBuilder().setChunkId("c2").setRank(3).setText(null)
                        .setEmbedding(List.of(0.25f, -0.5f, 1e-7f)).setEmbeddingModel("enc/mean").build()),
                event(TokenDelta.newBuilder().setIndex(0).setText(" Par").build()),
                event(TokenDelta.newBuilder().setIndex(7).setText("is ").setLogprob(-0.25)
                        .setTopAlternatives(List.of(new TokenAlternative("is", -0.25), new TokenAlternative("ks", -3.0)))
                        .build()),
                event(SpanEmbedding.newBuilder().setStart(0).setEnd(5).setEmbedding(List.of(1f, 0f))
                        .setEmbeddingModel("enc/mean").build()),
                event(RequestFinished.newBuilder().setFinishReason("length").build()),
                event(RequestFinished.newBuilder().build()));
    }

    static Event event(Object payload) {
        return Event.newBuilder().setRequestId("r-1").setEventTime(T).setPayload(payload).build();
    }

    @ParameterizedTest
    @MethodSource("events")
    void eventsRoundTripInAvro(Event e) {
        byte[] bytes = EventCodec.toAvro(e);
        assertTrue(EventCodec.isAvro(bytes));
        assertEquals(e, EventCodec.decode(bytes));
    }

    @ParameterizedTest
    @MethodSource("events")
    void eventsRoundTripInJson(Event e) {
        byte[] bytes = EventCodec.toJsonBytes(e);
        assertEquals('{', bytes[0]);
        assertEquals(e, EventCodec.decode(bytes));
    }

    static Stream<SpecificRecord> outputs() {
        return Stream.of(
                SpanScore.newBuilder().setRequestId("r").setApp("a").setModel("m").setSentenceIndex(2).setStart(10)
                        .setEnd(40).setText("It was completed in 1925.").setEnergy(0.5).setCalibratedEnergy(0.3)
                        .setMargin(0.01).setGain(0.2).setFragility(0.05).setUnsupportedRatio(0.5).setState("null")
                        .setTransition("indirect").setCusum(0.7).setProbability(0.9).setFlagged(true)
                        .setAttributedTokens(List.of("1925")).setNearestChunkId("c1").setNearestSimilarity(0.5)
                        .setEventTime(T).build(),
                Alert.newBuilder().setAlertId("id").setRequestId("r").setApp("a").setModel("m")
                        .setKind(AlertKind.FRAGILE_STATE).setSeverity(Severity.CRITICAL).setScore(0.9).setThreshold(0.5)
                        .setText(null).setStart(0).setEnd(4).setNearestChunkId(null).setNearestSimilarity(null)
                        .setDetectorVersion("d").setModelVersion("e").setEventTime(T).setEmitTime(T.plusMillis(5)).build(),
                Alert.newBuilder().setAlertId("id").setRequestId("r").setApp("a").setModel("m")
                        .setKind(AlertKind.DRIFT).setSeverity(Severity.WARNING).setScore(0.9).setThreshold(0.5)
                        .setText("x").setStart(0).setEnd(4).setAttributedTokens(List.of("a", "b"))
                        .setNearestChunkId("c").setNearestSimilarity(0.25)
                        .setDetectorVersion("d").setModelVersion("e").setEventTime(T).setEmitTime(T).build(),
                ResponseVerdict.newBuilder().setRequestId("r").setApp("a").setModel("m").setHallucinated(true)
                        .setProbability(0.8).setThreshold(0.5)
                        .setUnsupportedSpans(List.of(new TextSpan(3, 9, "Warren"), new TextSpan(12, 14, null))).setSentences(4).setFlaggedSentences(1).setAlerts(2)
                        .setFinishReason("idle_timeout").setTokenGaps(1).setDuplicateDeltas(0).setUnusableChunks(2)
                        .setDetectorVersion("d").setModelVersion("e").setEventTime(T).build(),
                DeadLetter.newBuilder().setReason("not JSON").setSource("groundstate.events").setPosition(17)
                        .setPartition(3).setPayload(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 1})).build(),
                DeadLetter.newBuilder().setReason("r").setSource("file.jsonl").setPosition(2)
                        .setPayload(ByteBuffer.wrap("{".getBytes(StandardCharsets.UTF_8))).build());
    }

    @ParameterizedTest
    @MethodSource("outputs")
    @SuppressWarnings("unchecked")
    void outputsRoundTripInAvroAndJson(SpecificRecord r) throws Exception {
        BinaryMessageEncoder<SpecificRecord> enc = new BinaryMessageEncoder<>(SpecificData.get(), r.getSchema());
        BinaryMessageDecoder<SpecificRecord> dec = new BinaryMessageDecoder<>(SpecificData.get(), r.getSchema());
        assertEquals(r, dec.decode(enc.encode(r)));
        JsonNode json = JsonForm.toJson(r);
        SpecificRecord back = JsonForm.fromJson(JsonForm.JSON.readTree(json.toString()), r.getClass());
        assertEquals(r, back);
    }

    @Test
    void jsonFormUsesPlainValuesForNullablesAndEpochMillis() {
        Event e = events().findFirst().orElseThrow();
        JsonNode j = EventCodec.toJson(e);
        assertEquals("request_started", j.get("kind").asText());
        assertEquals(T.toEpochMilli(), j.get("event_time").asLong());
        assertEquals("q?", j.get("prompt").asText());
        JsonNode finished = EventCodec.toJson(event(RequestFinished.newBuilder().build()));
        assertTrue(finished.get("finish_reason").isNull());
    }

    @Test
    void isoTimestampsAndOmittedOptionalsAreAccepted() {
        Event e = EventCodec.fromJson("{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":\"2026-01-01T00:00:00.5Z\","
                + "\"index\":3,\"text\":\"x\"}");
        TokenDelta d = (TokenDelta) e.getPayload();
        assertEquals(Instant.parse("2026-01-01T00:00:00.5Z"), e.getEventTime());
        assertEquals(3, d.getIndex());
        assertNull(d.getLogprob());
        assertNull(d.getTopAlternatives());
    }

    @Test
    void everyExampleInTheReadmeDecodesAndCoversEveryKind() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        List<String> kinds = new ArrayList<>();
        while (m.find()) {
            Event e = EventCodec.decode(m.group(1).getBytes(StandardCharsets.UTF_8));
            kinds.add(EventCodec.kindOf(e.getPayload()));
            assertEquals(e, EventCodec.decode(EventCodec.toAvro(e)));
        }
        assertEquals(EventCodec.KINDS.keySet().stream().sorted().toList(), kinds.stream().sorted().toList());
    }

    @Test
    void avroAndJsonOfTheSameEventAgree() {
        events().forEach(e -> assertArrayEquals(EventCodec.toAvro(EventCodec.decode(EventCodec.toJsonBytes(e))),
                EventCodec.toAvro(e)));
    }
}
