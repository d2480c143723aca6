package io.groundstate.detectors.encoder;

import java.util.List;

/** A sentence encoder: texts in, L2-normalised vectors out. Implementations must be thread-safe. */
public interface Encoder extends AutoCloseable {

    /** Identifies the model and pooling; an app embedding is reused only when its model id equals this. */
    String id();

    int dimension();

    /** One unit vector per text, in order. */
    float[][] embed(List<String> texts);

    /** The device actually used, e.g. {@code cpu} or {@code cuda:0}. */
    default String device() {
        return "cpu";
    }

    @Override
    default void close() {
    }
}
