package io.groundstate.detectors.physics;

/** One basis state: a context sentence (or window, or an app-supplied chunk vector) and its unit vector. */
public record BasisState(String chunkId, int rank, String text, float[] vector) {
}
