package io.groundstate.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a JSON event straight from the parser's tokens into its record, without the tree that
 * {@link EventCodec#fromJson} builds (half of the topology's decoding, profiled). Only for records that need
 * none of that path's checks to fail: it declines (returns null) at the first thing that is not plainly valid, and
 * the tree path then reads the record again and gives the same error, with the same message, as before. So this
 * class decides nothing about what is valid; a record either comes out equal to the tree path's, or it declines.
 */
final class FastEventReader {
    /** Thrown to give up; the tree path then reads the record. Shared and without a stack trace: it is common. */
    private static final class Declined extends Exception {
        private static final Declined INSTANCE = new Declined();

        private Declined() {
            super(null, null, false, false);
        }
    }

    private FastEventReader() {
    }

    /** The event, or null where the tree path must read it (it is invalid, or written in an unusual order). */
    static Event read(String text) {
        try (JsonParser p = JsonForm.JSON.createParser(text)) {
            return event(p);
        } catch (Declined | IOException | RuntimeException e) {
            return null;
        }
    }

    private static Event event(JsonParser p) throws IOException, Declined {
        // The kind first, as writers put it: the payload's fields can then be read as they come.
        expect(p.nextToken() == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME
                && "kind".equals(p.currentName()) && p.nextToken() == JsonToken.VALUE_STRING);
        Class<? extends SpecificRecord> type = EventCodec.KINDS.get(p.getText());
        expect(type != null);
        Envelope envelope = new Envelope();
        SpecificRecord payload = fields(p, SpecificData.get().getSchema(type), envelope);
        expect(envelope.requestId != null && envelope.eventTime != null && p.nextToken() == null);
        return Event.newBuilder().setRequestId(envelope.requestId).setEventTime(envelope.eventTime)
                .setPayload(payload).build();
    }

    /** The event's own fields, which sit among its payload's at the top level. */
    private static final class Envelope {
        String requestId;
        Instant eventTime;

        /** Takes the field if it is one of these; the parser is at its value. */
        boolean take(String name, JsonParser p) throws IOException, Declined {
            if (name.equals("request_id")) {
                expect(requestId == null && p.currentToken() == JsonToken.VALUE_STRING && !p.getText().isBlank());
                requestId = p.getText();
                return true;
            }
            if (name.equals("event_time")) {
                expect(eventTime == null);
                eventTime = timestamp(p);
                return true;
            }
            return false;
        }
    }

    /**
     * The rest of the object the parser is in, as a record of {@code schema}; {@code envelope} (or null) takes the
     * fields that come before the record's own.
     */
    private static SpecificRecord fields(JsonParser p, Schema schema, Envelope envelope) throws IOException, Declined {
        SpecificRecord r = (SpecificRecord) SpecificData.get().newRecord(null, schema);
        boolean[] present = new boolean[schema.getFields().size()];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (envelope != null && envelope.take(name, p)) {
                continue;
            }
            Schema.Field f = schema.getField(name);
            expect(f != null && !present[f.pos()]);
            present[f.pos()] = true;
            r.put(f.pos(), value(p, f.schema()));
        }
        expect(p.currentToken() == JsonToken.END_OBJECT);
        for (Schema.Field f : schema.getFields()) {
            if (present[f.pos()]) {
                continue;
            }
            if (f.hasDefaultValue()) {
                r.put(f.pos(), SpecificData.get().getDefaultValue(f));
            } else {
                expect(f.schema().getType() == Schema.Type.UNION && f.schema().isNullable());
                r.put(f.pos(), null); // a missing nullable field without a default is null, as in the tree path
            }
        }
        return r;
    }

    /** The value at the parser's current token, which it consumes. */
    private static Object value(JsonParser p, Schema schema) throws IOException, Declined {
        JsonToken t = p.currentToken();
        switch (schema.getType()) {
            case UNION: {
                // The events' unions are all null and one other type; anything else is the tree path's to try.
                expect(schema.getTypes().size() == 2 && schema.isNullable());
                if (t == JsonToken.VALUE_NULL) {
                    return null;
                }
                Schema other = schema.getTypes().get(0).getType() == Schema.Type.NULL ? schema.getTypes().get(1)
                        : schema.getTypes().get(0);
                return value(p, other);
            }
            case RECORD:
                expect(t == JsonToken.START_OBJECT);
                return fields(p, schema, null);
            case ARRAY: {
                expect(t == JsonToken.START_ARRAY);
                List<Object> out = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    out.add(value(p, schema.getElementType()));
                }
                return out;
            }
            case MAP: {
                expect(t == JsonToken.START_OBJECT);
                Map<String, Object> out = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    expect(!out.containsKey(key));
                    p.nextToken();
                    out.put(key, value(p, schema.getValueType()));
                }
                return out;
            }
            case ENUM:
                expect(t == JsonToken.VALUE_STRING && schema.hasEnumSymbol(p.getText()));
                return SpecificData.get().createEnum(p.getText(), schema);
            case STRING:
                expect(t == JsonToken.VALUE_STRING);
                return p.getText();
            case BYTES:
                expect(t == JsonToken.VALUE_STRING);
                return ByteBuffer.wrap(Base64.getDecoder().decode(p.getText())); // bad base64 throws: declined
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return timestamp(p);
                }
                return wholeNumber(p);
            case INT: {
                long n = wholeNumber(p);
                expect(n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE);
                return (int) n;
            }
            case FLOAT:
                return (float) finite(p);
            case DOUBLE:
                return finite(p);
            case BOOLEAN:
                expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE);
                return t == JsonToken.VALUE_TRUE;
            default:
                throw Declined.INSTANCE;
        }
    }

    private static Instant timestamp(JsonParser p) throws IOException, Declined {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            try {
                return Instant.parse(p.getText());
            } catch (DateTimeParseException e) {
                throw Declined.INSTANCE;
            }
        }
        return Instant.ofEpochMilli(wholeNumber(p));
    }

    private static long wholeNumber(JsonParser p) throws IOException, Declined {
        expect(p.currentToken() == JsonToken.VALUE_NUMBER_INT
                && (p.getNumberType() == NumberType.INT || p.getNumberType() == NumberType.LONG));
        return p.getLongValue();
    }

    private static double finite(JsonParser p) throws IOException, Declined {
        // Whole numbers too, as the tree path takes them; big ones are left to it.
        expect(p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT || (p.currentToken() == JsonToken.VALUE_NUMBER_INT
                && (p.getNumberType() == NumberType.INT || p.getNumberType() == NumberType.LONG)));
        double d = p.getDoubleValue();
        expect(Double.isFinite(d));
        return d;
    }

    private static void expect(boolean condition) throws Declined {
        if (!condition) {
            throw Declined.INSTANCE;
        }
    }
}
