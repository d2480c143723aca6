package io.groundstate.detectors.calib;

import java.util.Locale;

/** The evidence about one generated sentence that P(sentence unsupported) is fitted on; see DESIGN.md for each. */
public enum SentenceFeature implements Feature {
    /** Grounding energy: 1 - cosine to the nearest context sentence. */
    ENERGY,
    /** Energy above the request's zero point. */
    CALIBRATED_ENERGY,
    MARGIN,
    ENTROPY,
    /** Largest drop in energy when one content token is left out. */
    GAIN,
    FRAGILITY,
    UNSUPPORTED_RATIO,
    /** log1p of the count of numbers the context does not support. */
    UNSUPPORTED_NUMBERS,
    UNSUPPORTED_NAMES,
    UNSUPPORTED_WORDS,
    NULL_STATE,
    INDIRECT_TRANSITION,
    EXCESS_JUMP,
    CUSUM,
    DRIFT_ANGLE,
    MIN_LOGPROB,
    MEAN_ENTROPY,
    /** log1p of the sentence's content tokens. */
    LENGTH,
    /** log1p of the sentence's index in the answer. */
    POSITION,
    SOFT_UNSUPPORTED,
    RECORD_CONFLICTS,
    /** log1p of the numbers, names and units standing where the context has another between the same words. */
    SUBSTITUTIONS,
    /** 1 when one context sentence holds the sentence's content with the opposite polarity. */
    NEGATION_FLIP,
    /** 1 when a clause of two or more content words has none in the context. */
    UNSUPPORTED_CLAUSE,
    /** 1 for a sentence addressed to the user ("Sure!", "Here is a summary:"); never flagged ({@code Preamble}). */
    PREAMBLE;

    @Override
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
