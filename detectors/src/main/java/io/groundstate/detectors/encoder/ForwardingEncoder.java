package io.groundstate.detectors.encoder;

import java.util.List;

/** An encoder that wraps another: identity, device and the single-text {@link #embedWithout} pass through. */
public abstract class ForwardingEncoder implements Encoder {
    protected final Encoder delegate;

    protected ForwardingEncoder(Encoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String device() {
        return delegate.device();
    }

    /** Passed straight through: one text's own run, nothing to cache or share. */
    @Override
    public float[][] embedWithout(String text, List<int[]> spans) {
        return delegate.embedWithout(text, spans);
    }

    @Override
    public void prefetch(java.util.function.Supplier<List<String>> texts) {
        delegate.prefetch(texts);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
