package io.groundstate.detectors.encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Texts found in the model's {@link WordTable} come from it; the others are embedded by the delegate, in one
 * call. The vectors are the model's own either way, so results do not depend on the table.
 */
public final class WordTableEncoder extends ForwardingEncoder {
    private final WordTable table;
    private final LongAdder served = new LongAdder();

    public WordTableEncoder(Encoder delegate, WordTable table) {
        super(delegate);
        if (!table.modelId().equals(delegate.id())) {
            throw new IllegalArgumentException("word table of " + table.modelId() + " for encoder " + delegate.id());
        }
        this.table = table;
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        List<String> rest = new ArrayList<>();
        int[] restAt = new int[texts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = table.vector(texts.get(i));
            if (out[i] == null) {
                restAt[rest.size()] = i;
                rest.add(texts.get(i));
            }
        }
        served.add(out.length - rest.size());
        if (!rest.isEmpty()) {
            float[][] embedded = delegate.embed(rest);
            for (int k = 0; k < embedded.length; k++) {
                out[restAt[k]] = embedded[k];
            }
        }
        return out;
    }

    @Override
    public void prefetch(Supplier<List<String>> texts) {
        delegate.prefetch(() -> texts.get().stream().filter(t -> !table.contains(t)).toList());
    }

    /** Texts served from the table so far. */
    public long served() {
        return served.sum();
    }
}
