package io.groundstate.detectors.encoder;

import java.util.List;

/** A sentence encoder: texts in, L2-normalised vectors out. Implementations must be thread-safe. */
public interface Encoder extends AutoCloseable {

    /** Identifies the model and pooling; an app embedding is reused only when its model id equals this. */
    String id();

    int dimension();

    /** One unit vector per text, in order. */
    float[][] embed(List<String> texts);

    /**
     * The text's vector, then one per span: the text's meaning with that span left out. This default
     * re-embeds the text with the span's characters removed; an encoder that mean-pools token states may
     * instead leave the span's tokens out of the pool of the text's own run (one run instead of 1 + spans).
     *
     * @param spans character ranges {start, end} in the text
     */
    default float[][] embedWithout(String text, List<int[]> spans) {
        List<String> texts = new java.util.ArrayList<>(spans.size() + 1);
        texts.add(text);
        for (int[] s : spans) {
            texts.add(io.groundstate.detectors.text.SpanRemoval.without(text, s[0], s[1]));
        }
        return embed(texts);
    }

    /**
     * A hint that these texts will be asked for soon, so an encoder that can work ahead (see
     * {@link PrefetchingEncoder}) embeds them in the background. The texts are computed on the caller's thread,
     * and only by an encoder that prefetches; results never depend on whether or when this was called. This
     * default does nothing.
     */
    default void prefetch(java.util.function.Supplier<List<String>> texts) {
    }

    /** The device actually used, e.g. {@code cpu} or {@code cuda:0}. */
    default String device() {
        return "cpu";
    }

    @Override
    default void close() {
    }
}
