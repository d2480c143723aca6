package io.groundstate.streams.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The headers of a dead letter: why, and where the original bytes came from. */
public final class DeadLetters {
    public static final String REASON = "groundstate.dlq.reason";
    public static final String TOPIC = "groundstate.dlq.topic";
    public static final String PARTITION = "groundstate.dlq.partition";
    public static final String OFFSET = "groundstate.dlq.offset";
    public static final String STAGE = "groundstate.dlq.stage";
    /** A short, fixed code for the reason, for metrics and for routing dead letters by cause. */
    public static final String REASON_CODE = "groundstate.dlq.reason.code";

    public static final String STAGE_DECODE = "decode";
    public static final String STAGE_MONITOR = "monitor";
    public static final String MONITOR_FAILED = "monitor_failed";
    /** Every code {@link #reasonCode} gives; metrics register them all up front. */
    public static final List<String> DECODE_REASON_CODES = List.of("empty", "unknown_schema", "corrupt_avro",
            "invalid_utf8", "not_json", "not_object", "missing_kind", "unknown_kind", "invalid_field", "undecodable");
    private static final Pattern FIELD = Pattern.compile("^[A-Za-z_][^\\s:]*: .*", Pattern.DOTALL);

    private DeadLetters() {
    }

    /** The code of a decode reason (the messages of SchemaException), so metrics get a bounded tag. */
    public static String reasonCode(String reason) {
        if (reason == null) {
            return "undecodable";
        } else if (reason.startsWith("empty record")) {
            return "empty";
        } else if (reason.startsWith("Avro record written with an unknown schema")) {
            return "unknown_schema";
        } else if (reason.startsWith("bad Avro") || reason.startsWith("truncated or corrupt Avro")) {
            return "corrupt_avro";
        } else if (reason.startsWith("neither Avro")) {
            return "invalid_utf8";
        } else if (reason.startsWith("not JSON")) {
            return "not_json";
        } else if (reason.startsWith("expected a JSON object")) {
            return "not_object";
        } else if (reason.startsWith("missing \"kind\"")) {
            return "missing_kind";
        } else if (reason.startsWith("unknown kind")) {
            return "unknown_kind";
        } else if (FIELD.matcher(reason).matches()) {
            return "invalid_field";
        }
        return "undecodable";
    }

    static Headers annotate(Headers headers, String stage, String reason, String code, RecordMetadata where) {
        headers.remove(REASON).remove(TOPIC).remove(PARTITION).remove(OFFSET).remove(STAGE).remove(REASON_CODE);
        headers.add(STAGE, utf8(stage));
        headers.add(REASON_CODE, utf8(code));
        headers.add(REASON, utf8(reason.length() > 2000 ? reason.substring(0, 2000) + "..." : reason));
        if (where != null) {
            headers.add(TOPIC, utf8(where.topic()));
            headers.add(PARTITION, utf8(Integer.toString(where.partition())));
            headers.add(OFFSET, utf8(Long.toString(where.offset())));
        }
        return headers;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A header's value as text, or null. */
    public static String header(Headers headers, String key) {
        var h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : StandardCharsets.UTF_8.decode(ByteBuffer.wrap(h.value())).toString();
    }
}
