package io.groundstate.detectors.calib;

import java.util.Arrays;
import java.util.List;

/**
 * A named column of a feature vector. The vectors stay plain {@code double[]} (they are stored in request state
 * and fitted on by the thousand); the enums that implement this are their one layout: the constant's position is
 * its column, its {@link #key()} the name the weights file, {@code calibrate} and {@code eval --dump} use.
 */
public interface Feature {
    /** The snake_case name in weights files and dumps. */
    String key();

    /** The column (the enum constant's position). */
    int ordinal();

    /**
     * The value; 0 past the vector's end. Columns are only ever appended, and a sentence stored by an older release
     * lacks the newer detectors' evidence, which reads as none found.
     */
    default double of(double[] vector) {
        return ordinal() < vector.length ? vector[ordinal()] : 0;
    }

    default void set(double[] vector, double value) {
        vector[ordinal()] = value;
    }

    /** The keys of an enum's constants, in column order. */
    static <E extends Enum<E> & Feature> List<String> keys(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Feature::key).toList();
    }

    /** The keys of the given constants. */
    @SafeVarargs
    static <E extends Enum<E> & Feature> List<String> keys(E... features) {
        return Arrays.stream(features).map(Feature::key).toList();
    }
}
