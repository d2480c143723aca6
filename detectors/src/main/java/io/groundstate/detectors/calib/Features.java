package io.groundstate.detectors.calib;

import java.util.List;

/** The combiner's input: one vector per sentence, in the order of {@link #NAMES}. */
public final class Features {
    public static final List<String> NAMES = List.of(
            "energy", "calibrated_energy", "margin", "entropy",
            "gain", "fragility",
            "unsupported_ratio", "unsupported_numbers", "unsupported_names", "unsupported_words",
            "null_state", "indirect_transition", "excess_jump",
            "cusum", "drift_angle",
            "min_logprob", "mean_entropy",
            "length", "position");

    public static final int ENERGY = 0;
    public static final int CALIBRATED_ENERGY = 1;
    public static final int GAIN = 4;
    public static final int CUSUM = 13;

    private Features() {
    }

    public static int index(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown feature " + name + "; known: " + NAMES);
        }
        return i;
    }

    /** Families, for the ablation: each adds the named features to those before it. */
    public static final List<List<String>> FAMILIES = List.of(
            List.of("energy", "calibrated_energy", "margin", "entropy"),
            List.of("gain", "fragility"),
            List.of("null_state", "indirect_transition", "excess_jump"),
            List.of("cusum", "drift_angle"),
            List.of("unsupported_ratio", "unsupported_numbers", "unsupported_names", "unsupported_words"),
            List.of("min_logprob", "mean_entropy", "length", "position"));

    public static final List<String> FAMILY_NAMES = List.of(
            "grounding energy", "+ perturbation", "+ semantic states", "+ drift", "+ reality basis (lexical)",
            "+ uncertainty and shape");
}
