package io.groundstate.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each malformed input gets its own specific reason; the streaming app puts that reason on the dead letter. */
class MalformedTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "not json at all|not JSON:",
        "[1,2]|expected a JSON object, got an array",
        "{\"request_id\":\"r\",\"event_time\":1}|missing \"kind\"",
        "{\"kind\":\"token\",\"request_id\":\"r\",\"event_time\":1}|unknown kind \"token\"",
        "{\"kind\":\"token_delta\",\"event_time\":1,\"index\":0,\"text\":\"a\"}|token_delta.request_id: expected a non-blank string, got nothing",
        "{\"kind\":\"token_delta\",\"request_id\":\" \",\"event_time\":1,\"index\":0,\"text\":\"a\"}|token_delta.request_id: expected a non-blank string",
        "{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":\"yesterday\",\"index\":0,\"text\":\"a\"}|token_delta.event_time: expected epoch milliseconds or an ISO-8601 instant",
        "{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":1,\"index\":\"3\",\"text\":\"a\"}|token_delta.index: expected a whole number, got a string",
        "{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":1,\"index\":1.5,\"text\":\"a\"}|token_delta.index: expected a whole number, got a number",
        "{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":1,\"index\":0}|token_delta.text: expected a string, got nothing",
        "{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":1,\"index\":0,\"text\":\"a\",\"logprob\":\"low\"}|token_delta.logprob: expected a number",
        "{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":1,\"index\":0,\"text\":\"a\",\"top_alternatives\":[{\"token\":\"x\"}]}|token_delta.top_alternatives[0].logprob: expected a number, got nothing",
        "{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":1,\"index\":0,\"text\":\"a\",\"extra\":1}|token_delta: unknown field 'extra'",
        "{\"kind\":\"context_chunk\",\"request_id\":\"r\",\"event_time\":1,\"chunk_id\":\"c\",\"rank\":3000000000}|context_chunk.rank: expected a whole number (32-bit)",
        "{\"kind\":\"context_chunk\",\"request_id\":\"r\",\"event_time\":1,\"chunk_id\":\"c\",\"rank\":0,\"embedding\":[1,\"x\"]}|context_chunk.embedding[1]: expected a number",
        "{\"kind\":\"context_chunk\",\"request_id\":\"r\",\"event_time\":1,\"chunk_id\":\"c\",\"rank\":0,\"embedding\":{\"a\":1}}|context_chunk.embedding: expected an array",
        "{\"kind\":\"request_started\",\"request_id\":\"r\",\"event_time\":1,\"app\":\"a\",\"model\":\"m\",\"attributes\":{\"k\":1}}|request_started.attributes.k: expected a string, got a number",
        "{\"kind\":\"request_started\",\"request_id\":\"r\",\"event_time\":1,\"model\":\"m\"}|request_started.app: expected a string, got nothing",
        "{\"kind\":\"span_embedding\",\"request_id\":\"r\",\"event_time\":1,\"start\":0,\"end\":3,\"embedding_model\":\"e\"}|span_embedding.embedding: expected an array, got nothing",
        "{\"kind\":\"request_finished\",\"request_id\":\"r\",\"event_time\":1,\"finish_reason\":7}|request_finished.finish_reason: expected a string, got a number",
    })
    void malformedJsonIsRejectedWithASpecificReason(String input, String reason) {
        SchemaException e = assertThrows(SchemaException.class,
                () -> EventCodec.decode(input.getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, e.getMessage().startsWith(reason) || e.getMessage().contains(reason),
                () -> "expected '" + reason + "' in '" + e.getMessage() + "'");
    }

    @org.junit.jupiter.api.Test
    void emptyInvalidUtf8AndTruncatedAvroAreRejected() {
        assertEquals("empty record",
                assertThrows(SchemaException.class, () -> EventCodec.decode(new byte[0])).getMessage());
        assertEquals("neither Avro single-object encoding nor UTF-8 JSON (invalid UTF-8)",
                assertThrows(SchemaException.class, () -> EventCodec.decode(new byte[] {'{', (byte) 0xC0, '}'}))
                        .getMessage());
        byte[] avro = EventCodec.toAvro(RoundTripTest.events().findFirst().orElseThrow());
        SchemaException truncated = assertThrows(SchemaException.class,
                () -> EventCodec.decode(Arrays.copyOf(avro, avro.length - 3)));
        assertEquals(true, truncated.getMessage().startsWith("truncated or corrupt Avro record"), truncated.getMessage());
        // Found by DecoderFuzzTest: a request_started whose attributes map declares about 2^31 entries. Avro
        // allocated them before reading any and the JVM ran out of memory; now its limits refuse the length.
        byte[] hugeMap = java.util.HexFormat.of().parseHex("c3014becf26b84058e0904723180a0d5edee66000661707006677074"
                + "02345768657265206973207468652045696666656c148e0904723180a0d5edee0200000000");
        SchemaException huge = assertThrows(SchemaException.class, () -> EventCodec.decode(hugeMap));
        assertEquals(SchemaException.Reason.CORRUPT_AVRO, huge.reason(), huge.getMessage());
        byte[] foreign = avro.clone();
        foreign[5] ^= 0x5A; // a fingerprint nobody registered
        assertEquals("Avro record written with an unknown schema (fingerprint not registered)",
                assertThrows(SchemaException.class, () -> EventCodec.decode(foreign)).getMessage());
    }
}
