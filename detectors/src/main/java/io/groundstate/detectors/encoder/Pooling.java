package io.groundstate.detectors.encoder;

/** How token vectors become one sentence vector. */
public enum Pooling {
    /** Attention-masked mean of the last hidden state (sentence-transformers MiniLM). */
    MEAN,
    /** The first token's vector (BGE). */
    CLS
}
