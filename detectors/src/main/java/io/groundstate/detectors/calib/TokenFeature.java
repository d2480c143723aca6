package io.groundstate.detectors.calib;

import java.util.Locale;

/** Evidence about one content token, for localising the unsupported words of a sentence. */
public enum TokenFeature implements Feature {
    UNSUPPORTED,
    NUMBER,
    NAME,
    DELTA,
    PERTURBED,
    LOG_LENGTH,
    UNSUPPORTED_NEIGHBOURS,
    /** Filled in once the sentence is scored ({@link Localisation#withSentenceProbability}). */
    SENTENCE_LOGIT,
    SENTENCE_UNSUPPORTED_RATIO,
    SENTENCE_CALIBRATED_ENERGY,
    ANSWER_UNSUPPORTED_SHARE,
    SOFT_SUPPORT,
    RECORD_CONFLICT,
    STRUCTURED_CONTEXT,
    /** The token stands where the context has another of its kind ({@code Contradiction}). */
    SUBSTITUTED,
    /** The token is in a clause with no word in the context. */
    UNSUPPORTED_CLAUSE;

    @Override
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
