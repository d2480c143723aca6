package io.groundstate.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON form of every schema: the same field names, nullable fields as plain values or null,
 * enums as their symbols, timestamps as epoch milliseconds (ISO-8601 strings accepted on input),
 * bytes as base64. Generic over the schema, so every type gets the same rules and the same errors.
 */
public final class JsonForm {
    // A record is one JSON value: anything after it makes the record garbage, not a valid prefix.
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /**
     * Doubles with Schubfach rather than Double.toString (the same value back, faster), and characters beyond the
     * BMP as UTF-8 rather than escaped surrogate pairs, as the tree's text has them.
     */
    private static final JsonFactory WRITER = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

    private JsonForm() {
    }

    public static ObjectNode toJson(SpecificRecord record) {
        return toJson(record, Map.of());
    }

    /** As above, with leading top-level fields before the record's own (an event's kind, request id and time). */
    static ObjectNode toJson(SpecificRecord record, Map<String, Object> leading) {
        try (TokenBuffer tokens = new TokenBuffer(JSON, false)) {
            writeObject(tokens, record, leading);
            return (ObjectNode) JSON.readTree(tokens.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not fail
        }
    }

    /**
     * {@link #toJson}'s text as UTF-8, written straight from the record without building the tree: outputs and
     * events are written this way on the hot path.
     */
    public static byte[] toJsonBytes(SpecificRecord record) {
        return toJsonBytes(record, Map.of());
    }

    static byte[] toJsonBytes(SpecificRecord record, Map<String, Object> leading) {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            writeObject(g, record, leading);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not fail
        }
        return out.toByteArray();
    }

    private static void writeObject(JsonGenerator g, SpecificRecord record, Map<String, Object> leading)
            throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Object> e : leading.entrySet()) {
            g.writeFieldName(e.getKey());
            if (e.getValue() instanceof Long l) {
                g.writeNumber(l);
            } else {
                g.writeString(e.getValue().toString());
            }
        }
        writeFields(g, record, record.getSchema());
        g.writeEndObject();
    }

    private static void writeFields(JsonGenerator g, SpecificRecord r, Schema schema) throws IOException {
        for (Schema.Field f : schema.getFields()) {
            g.writeFieldName(f.name());
            write(g, r.get(f.pos()), f.schema());
        }
    }

    /**
     * Nullable fields as plain values or null, enums as their symbols, timestamps as epoch milliseconds, bytes as
     * base64, and the non-finite floats (which JSON has no number for) as their Java names in strings.
     */
    private static void write(JsonGenerator g, Object value, Schema schema) throws IOException {
        if (value == null) {
            g.writeNull();
            return;
        }
        switch (schema.getType()) {
            case UNION:
                write(g, value, unionBranch(value, schema));
                return;
            case RECORD:
                g.writeStartObject();
                writeFields(g, (SpecificRecord) value, schema);
                g.writeEndObject();
                return;
            case ARRAY:
                g.writeStartArray();
                for (Object x : (List<?>) value) {
                    write(g, x, schema.getElementType());
                }
                g.writeEndArray();
                return;
            case MAP:
                g.writeStartObject();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    write(g, e.getValue(), schema.getValueType());
                }
                g.writeEndObject();
                return;
            case ENUM:
            case STRING:
                g.writeString(value.toString());
                return;
            case BYTES:
                g.writeString(base64((ByteBuffer) value));
                return;
            case LONG:
                g.writeNumber(value instanceof Instant i ? i.toEpochMilli() : ((Number) value).longValue());
                return;
            case INT:
                g.writeNumber(((Number) value).intValue());
                return;
            case FLOAT: {
                float f = ((Number) value).floatValue();
                if (Float.isFinite(f)) {
                    g.writeNumber(f);
                } else {
                    g.writeString(Float.toString(f));
                }
                return;
            }
            case DOUBLE: {
                double d = ((Number) value).doubleValue();
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeString(Double.toString(d));
                }
                return;
            }
            case BOOLEAN:
                g.writeBoolean((Boolean) value);
                return;
            default:
                throw new SchemaException("unsupported schema type " + schema.getType());
        }
    }

    private static Schema unionBranch(Object value, Schema union) {
        for (Schema branch : union.getTypes()) {
            if (branch.getType() != Schema.Type.NULL && SpecificData.get().validate(branch, value)) {
                return branch;
            }
        }
        throw new SchemaException("value of " + value.getClass().getSimpleName() + " fits no branch of " + union);
    }

    private static String base64(ByteBuffer value) {
        ByteBuffer b = value.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A record of the given class from JSON; unknown fields are errors, so typos do not pass silently. */
    public static <T extends SpecificRecord> T fromJson(JsonNode node, Class<T> type) {
        return fromJson(node, type, SpecificData.get().getSchema(type).getName());
    }

    /** As above; error messages name fields from {@code root}. */
    public static <T extends SpecificRecord> T fromJson(JsonNode node, Class<T> type, String root) {
        return type.cast(read(node, SpecificData.get().getSchema(type), root));
    }

    private static Object read(JsonNode node, Schema schema, String path) {
        boolean missing = node == null || node.isNull() || node.isMissingNode();
        switch (schema.getType()) {
            case UNION: {
                if (missing) {
                    if (schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
                        return null;
                    }
                    throw new SchemaException(path + ": required");
                }
                SchemaException first = null;
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() == Schema.Type.NULL) {
                        continue;
                    }
                    try {
                        return read(node, branch, path);
                    } catch (SchemaException e) {
                        first = first == null ? e : first;
                    }
                }
                throw first;
            }
            case RECORD: {
                if (missing || !node.isObject()) {
                    throw new SchemaException(path + ": expected an object, got " + describe(node));
                }
                SpecificRecord r = (SpecificRecord) SpecificData.get().newRecord(null, schema);
                for (Schema.Field f : schema.getFields()) {
                    JsonNode v = node.get(f.name());
                    if ((v == null || v.isMissingNode()) && f.hasDefaultValue()) {
                        r.put(f.pos(), SpecificData.get().getDefaultValue(f));
                    } else {
                        r.put(f.pos(), read(v, f.schema(), path + "." + f.name()));
                    }
                }
                Iterator<String> names = node.fieldNames();
                while (names.hasNext()) {
                    String n = names.next();
                    if (schema.getField(n) == null) {
                        throw new SchemaException(path + ": unknown field '" + n + "'");
                    }
                }
                return r;
            }
            case ARRAY: {
                if (missing || !node.isArray()) {
                    throw new SchemaException(path + ": expected an array, got " + describe(node));
                }
                List<Object> out = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    out.add(read(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return out;
            }
            case MAP: {
                if (missing || !node.isObject()) {
                    throw new SchemaException(path + ": expected an object of values, got " + describe(node));
                }
                Map<String, Object> out = new LinkedHashMap<>();
                node.fields().forEachRemaining(e -> out.put(e.getKey(),
                        read(e.getValue(), schema.getValueType(), path + "." + e.getKey())));
                return out;
            }
            case ENUM: {
                if (missing || !node.isTextual() || !schema.getEnumSymbols().contains(node.asText())) {
                    throw new SchemaException(path + ": expected one of " + schema.getEnumSymbols() + ", got " + describe(node));
                }
                return SpecificData.get().createEnum(node.asText(), schema);
            }
            case STRING:
                if (missing || !node.isTextual()) {
                    throw new SchemaException(path + ": expected a string, got " + describe(node));
                }
                return node.asText();
            case BYTES:
                if (missing || !node.isTextual()) {
                    throw new SchemaException(path + ": expected base64 bytes, got " + describe(node));
                }
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(node.asText()));
                } catch (IllegalArgumentException e) {
                    throw new SchemaException(path + ": not valid base64");
                }
            case LONG: {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return timestamp(node, path);
                }
                return wholeNumber(node, path, Long.MIN_VALUE, Long.MAX_VALUE);
            }
            case INT:
                return (int) wholeNumber(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case FLOAT:
                return (float) finite(node, path);
            case DOUBLE:
                return finite(node, path);
            case BOOLEAN:
                if (missing || !node.isBoolean()) {
                    throw new SchemaException(path + ": expected true or false, got " + describe(node));
                }
                return node.asBoolean();
            default:
                throw new SchemaException(path + ": unsupported schema type " + schema.getType());
        }
    }

    static Instant timestamp(JsonNode node, String path) {
        if (node != null && node.isTextual()) {
            try {
                return Instant.parse(node.asText());
            } catch (DateTimeParseException e) {
                throw new SchemaException(path + ": expected epoch milliseconds or an ISO-8601 instant, got \""
                        + node.asText() + "\"");
            }
        }
        return Instant.ofEpochMilli(wholeNumber(node, path, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    private static long wholeNumber(JsonNode node, String path, long min, long max) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()
                || node.asLong() < min || node.asLong() > max) {
            throw new SchemaException(path + ": expected a whole number"
                    + (max == Integer.MAX_VALUE ? " (32-bit)" : "") + ", got " + describe(node));
        }
        return node.asLong();
    }

    private static double finite(JsonNode node, String path) {
        if (node == null || !node.isNumber()) {
            throw new SchemaException(path + ": expected a number, got " + describe(node));
        }
        double d = node.asDouble();
        if (!Double.isFinite(d)) {
            throw new SchemaException(path + ": expected a finite number");
        }
        return d;
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isNull()) {
            return "null";
        }
        String text = node.toString();
        String kind = node.isTextual() ? "a string" : node.isBoolean() ? "a boolean" : node.isNumber() ? "a number"
                : node.isArray() ? "an array" : "an object";
        return kind + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}
