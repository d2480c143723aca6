package io.groundstate.streams.topology;

import io.groundstate.detectors.monitor.RejectedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import io.groundstate.schemas.SchemaException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
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
    public static final String STAGE_READ = "read";
    public static final String MONITOR_FAILED = "monitor_failed";
    /** A stored request state in a format this version does not read: the event is refused, the state kept. */
    public static final String STATE_UNREADABLE = "state_unreadable";
    /** Replay only: a file that breaks off. */
    public static final String UNREADABLE = "unreadable";
    /** The codes of the decode stage, one per {@link SchemaException.Reason}; metrics register them all up front. */
    public static final List<String> DECODE_REASON_CODES = Arrays.stream(SchemaException.Reason.values())
            .map(SchemaException.Reason::code).toList();
    /** The codes of the monitor stage: a failure, or one of the per-request input limits. */
    public static final List<String> MONITOR_REASON_CODES = Stream.concat(Stream.of(MONITOR_FAILED, STATE_UNREADABLE),
            Arrays.stream(RejectedEvent.Limit.values()).map(RejectedEvent.Limit::code)).toList();

    private DeadLetters() {
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
