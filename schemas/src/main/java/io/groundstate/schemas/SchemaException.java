package io.groundstate.schemas;

/**
 * A record that does not fit its schema; the message names the field and what was wrong, and the
 * {@link Reason} says which kind of problem it is in a fixed vocabulary (for metrics and dead-letter routing).
 */
public class SchemaException extends IllegalArgumentException {
    /** Why a record could not be used, as a short stable code. */
    public enum Reason {
        EMPTY("empty"),
        /** Larger than the configured limit; not even parsed. */
        TOO_LARGE("too_large"),
        UNKNOWN_SCHEMA("unknown_schema"),
        CORRUPT_AVRO("corrupt_avro"),
        INVALID_UTF8("invalid_utf8"),
        NOT_JSON("not_json"),
        NOT_OBJECT("not_object"),
        MISSING_KIND("missing_kind"),
        UNKNOWN_KIND("unknown_kind"),
        /** A field missing, mistyped or out of range: the message names it. */
        INVALID_FIELD("invalid_field"),
        UNDECODABLE("undecodable");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    /** A problem with one field, named in the message. */
    public SchemaException(String message) {
        this(Reason.INVALID_FIELD, message);
    }

    public SchemaException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SchemaException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
