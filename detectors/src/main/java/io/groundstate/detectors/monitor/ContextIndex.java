package io.groundstate.detectors.monitor;

import io.groundstate.detectors.physics.Contradiction;
import io.groundstate.detectors.physics.RecordPolarity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the monitor derives from a request's context for every sentence it scores, derived once per context
 * instead: the vocabulary, the record's polarity, the context words and their vectors, and each query word's
 * soft support found so far. A function of the chunks and the prompt only, so it is not stored: a restored
 * state derives the same again.
 */
final class ContextIndex {
    /** The context it was derived from: chunks are only ever added, and the prompt is set once. */
    final int chunkCount;
    final String prompt;
    final Set<String> vocabulary;
    final RecordPolarity record;
    final Contradiction contradiction;
    /** Context words (lower case) and their unit vectors, embedded the first time a sentence needs them. */
    List<String> words;
    float[][] wordVectors;
    final Map<String, Double> softSupport = new HashMap<>();

    ContextIndex(int chunkCount, String prompt, Set<String> vocabulary, RecordPolarity record,
                 Contradiction contradiction) {
        this.chunkCount = chunkCount;
        this.prompt = prompt;
        this.vocabulary = vocabulary;
        this.record = record;
        this.contradiction = contradiction;
    }

    boolean describes(RequestState state) {
        return chunkCount == state.chunks.size() && java.util.Objects.equals(prompt, state.prompt);
    }
}
