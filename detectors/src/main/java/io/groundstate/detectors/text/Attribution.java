package io.groundstate.detectors.text;

/**
 * A piece of the response with its offsets: a token that pulled its sentence away from the context, or a
 * localised unsupported phrase. Here, beside the text it points into, so that the monitor's outputs and the
 * localisation that makes them share it without depending on each other.
 */
public record Attribution(String token, int start, int end) {
}
