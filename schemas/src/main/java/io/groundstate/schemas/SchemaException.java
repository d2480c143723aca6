package io.groundstate.schemas;

/** A record that does not fit its schema; the message names the field and what was wrong. */
public class SchemaException extends IllegalArgumentException {
    public SchemaException(String message) {
        super(message);
    }

    public SchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
