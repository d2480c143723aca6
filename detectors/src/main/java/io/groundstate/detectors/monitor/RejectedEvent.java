package io.groundstate.detectors.monitor;

/**
 * An event the monitor refused because its request reached one of the input limits ({@link MonitorConfig.Limits}).
 * Nothing of the event reached the request's state; the request goes on with what it had, and still gets its
 * verdict. Hosts dead-letter the event with {@link Limit#code()}.
 */
public final class RejectedEvent extends RuntimeException {
    /** Which limit, as a short stable code (metrics and dead letters). */
    public enum Limit {
        TOKEN_DELTAS("request_token_limit"),
        CHUNKS("request_chunk_limit"),
        TEXT_BYTES("request_byte_limit");

        private final String code;

        Limit(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Limit limit;

    RejectedEvent(Limit limit, String message) {
        super(message, null, false, false); // an expected outcome under a flood: no stack trace to fill
        this.limit = limit;
    }

    public Limit limit() {
        return limit;
    }
}
