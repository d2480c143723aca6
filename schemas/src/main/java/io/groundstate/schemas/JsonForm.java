package io.groundstate.schemas;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonForm() {
    }

    public static ObjectNode toJson(SpecificRecord record) {
        return (ObjectNode) write(record, record.getSchema());
    }

    /** A record of the given class from JSON; unknown fields are errors, so typos do not pass silently. */
    public static <T extends SpecificRecord> T fromJson(JsonNode node, Class<T> type) {
        return fromJson(node, type, SpecificData.get().getSchema(type).getName());
    }

    /** As above; error messages name fields from {@code root}. */
    public static <T extends SpecificRecord> T fromJson(JsonNode node, Class<T> type, String root) {
        return type.cast(read(node, SpecificData.get().getSchema(type), root));
    }

    private static JsonNode write(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case UNION:
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL && SpecificData.get().validate(branch, value)) {
                        return write(value, branch);
                    }
                }
                throw new SchemaException("value of " + value.getClass().getSimpleName() + " fits no branch of " + schema);
            case RECORD: {
                SpecificRecord r = (SpecificRecord) value;
                ObjectNode o = NODES.objectNode();
                for (Schema.Field f : schema.getFields()) {
                    o.set(f.name(), write(r.get(f.pos()), f.schema()));
                }
                return o;
            }
            case ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (Object x : (List<?>) value) {
                    a.add(write(x, schema.getElementType()));
                }
                return a;
            }
            case MAP: {
                ObjectNode o = NODES.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    o.set(e.getKey().toString(), write(e.getValue(), schema.getValueType()));
                }
                return o;
            }
            case ENUM:
            case STRING:
                return NODES.textNode(value.toString());
            case BYTES: {
                ByteBuffer b = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case LONG:
                return NODES.numberNode(value instanceof Instant i ? i.toEpochMilli() : ((Number) value).longValue());
            case INT:
                return NODES.numberNode(((Number) value).intValue());
            case FLOAT:
                return floatNode(((Number) value).floatValue());
            case DOUBLE:
                return doubleNode(((Number) value).doubleValue());
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            default:
                throw new SchemaException("unsupported schema type " + schema.getType());
        }
    }

    private static JsonNode floatNode(float f) {
        return Float.isFinite(f) ? NODES.numberNode(f) : NODES.textNode(Float.toString(f));
    }

    private static JsonNode doubleNode(double d) {
        return Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(Double.toString(d));
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
