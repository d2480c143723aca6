package io.groundstate.detectors.text;

/** A sentence and its exact character offsets [start, end) in the text it came from. */
public record Sentence(int index, int start, int end, String text) {
}
