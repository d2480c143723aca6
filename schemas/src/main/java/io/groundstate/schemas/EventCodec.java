package io.groundstate.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.SystemLimitException;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads and writes input events in both wire forms: Avro single-object encoding (it starts with the
 * bytes C3 01) and flat JSON with a "kind" field. The form is detected from the bytes.
 */
public final class EventCodec {
    public static final Map<String, Class<? extends SpecificRecord>> KINDS = Map.of(
            "request_started", RequestStarted.class,
            "context_chunk", ContextChunk.class,
            "token_delta", TokenDelta.class,
            "span_embedding", SpanEmbedding.class,
            "request_finished", RequestFinished.class);

    private EventCodec() {
    }

    public static String kindOf(Object payload) {
        for (Map.Entry<String, Class<? extends SpecificRecord>> e : KINDS.entrySet()) {
            if (e.getValue().isInstance(payload)) {
                return e.getKey();
            }
        }
        throw new SchemaException(SchemaException.Reason.UNDECODABLE, "not an event payload: " + payload.getClass().getName());
    }

    static final int MAX_AVRO_STRING_BYTES = 16 << 20;
    static final int MAX_AVRO_COLLECTION_ITEMS = 1 << 22;

    static {
        // A record's strings and arrays cannot be longer than the record, but Avro allocates what a length prefix
        // declares: a 65-byte record declaring a map of 2^31 entries ran the JVM out of memory (DecoderFuzzTest).
        // Avro reads its limits from these properties when it first checks one; an operator's own setting wins.
        limit(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_AVRO_STRING_BYTES);
        limit(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_AVRO_STRING_BYTES);
        limit(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_AVRO_COLLECTION_ITEMS);
        if (!collectionLimitApplies()) {
            // Avro checked a limit before this class loaded (another reader in this JVM): make it read them again.
            try {
                Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
                reset.setAccessible(true);
                reset.invoke(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot apply Avro's allocation limits", e);
            }
        }
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    private static boolean collectionLimitApplies() {
        long limit = Long.parseLong(System.getProperty(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY));
        try {
            SystemLimitException.checkMaxCollectionLength(0, limit + 1);
            return limit + 1 >= Integer.MAX_VALUE - 8; // a limit at Avro's own maximum cannot be told apart
        } catch (SystemLimitException expected) {
            return true;
        }
    }

    public static boolean isAvro(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xFF) == 0xC3 && bytes[1] == 0x01;
    }

    /** Decodes either form; throws SchemaException with the reason for anything else. */
    public static Event decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new SchemaException(SchemaException.Reason.EMPTY, "empty record");
        }
        if (isAvro(bytes)) {
            try {
                return Event.getDecoder().decode(bytes);
            } catch (MissingSchemaException e) {
                throw new SchemaException(SchemaException.Reason.UNKNOWN_SCHEMA, "Avro record written with an unknown schema (fingerprint not registered)", e);
            } catch (BadHeaderException e) {
                throw new SchemaException(SchemaException.Reason.CORRUPT_AVRO, "bad Avro single-object header", e);
            } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
                throw new SchemaException(SchemaException.Reason.CORRUPT_AVRO, "truncated or corrupt Avro record: " + e.getMessage(), e);
            }
        }
        return fromJson(utf8(bytes));
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SchemaException(SchemaException.Reason.INVALID_UTF8, "neither Avro single-object encoding nor UTF-8 JSON (invalid UTF-8)");
        }
    }

    public static Event fromJson(String text) {
        Event plainlyValid = FastEventReader.read(text);
        return plainlyValid != null ? plainlyValid : fromJsonTree(text);
    }

    /** Every check, each with its own message; {@link FastEventReader} reads the valid records it can without it. */
    static Event fromJsonTree(String text) {
        JsonNode node;
        try {
            node = JsonForm.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SchemaException(SchemaException.Reason.NOT_JSON, "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new SchemaException(SchemaException.Reason.NOT_OBJECT, "expected a JSON object, got " + JsonForm.describe(node));
        }
        JsonNode kind = node.get("kind");
        if (kind == null || !kind.isTextual()) {
            throw new SchemaException(SchemaException.Reason.MISSING_KIND, "missing \"kind\": one of " + KINDS.keySet());
        }
        Class<? extends SpecificRecord> type = KINDS.get(kind.asText());
        if (type == null) {
            throw new SchemaException(SchemaException.Reason.UNKNOWN_KIND, "unknown kind \"" + kind.asText() + "\": expected one of " + KINDS.keySet());
        }
        ObjectNode payload = (ObjectNode) node; // parsed here and used by nothing else, so no copy
        JsonNode requestId = payload.remove("request_id");
        JsonNode eventTime = payload.remove("event_time");
        payload.remove("kind");
        if (requestId == null || !requestId.isTextual() || requestId.asText().isBlank()) {
            throw new SchemaException(kind.asText() + ".request_id: expected a non-blank string, got "
                    + JsonForm.describe(requestId));
        }
        return Event.newBuilder()
                .setRequestId(requestId.asText())
                .setEventTime(JsonForm.timestamp(eventTime, kind.asText() + ".event_time"))
                .setPayload(JsonForm.fromJson(payload, type, kind.asText()))
                .build();
    }

    public static ObjectNode toJson(Event event) {
        return JsonForm.toJson((SpecificRecord) event.getPayload(), envelope(event));
    }

    public static byte[] toJsonBytes(Event event) {
        return JsonForm.toJsonBytes((SpecificRecord) event.getPayload(), envelope(event));
    }

    /** The fields every event's JSON starts with, in this order. */
    private static Map<String, Object> envelope(Event event) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kindOf(event.getPayload()));
        m.put("request_id", event.getRequestId());
        m.put("event_time", event.getEventTime().toEpochMilli());
        return m;
    }

    public static byte[] toAvro(Event event) {
        try {
            ByteBuffer b = Event.getEncoder().encode(event);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new SchemaException(SchemaException.Reason.UNDECODABLE, "cannot encode event: " + e.getMessage(), e);
        }
    }
}
