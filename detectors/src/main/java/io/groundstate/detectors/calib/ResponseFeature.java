package io.groundstate.detectors.calib;

import java.util.Locale;

/** The whole answer's evidence, aggregated from its sentences by {@link Features#response}. */
public enum ResponseFeature implements Feature {
    UNSUPPORTED_SHARE,
    MAX_UNSUPPORTED_RATIO,
    TOTAL_UNSUPPORTED,
    MAX_UNSUPPORTED_NUMBERS,
    MEAN_CALIBRATED_ENERGY,
    MAX_GAIN,
    NULL_SHARE,
    FINAL_DRIFT_ANGLE,
    MAX_CUSUM,
    MIN_LOGPROB,
    SOFT_UNSUPPORTED_SHARE,
    TOTAL_RECORD_CONFLICTS;

    @Override
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
