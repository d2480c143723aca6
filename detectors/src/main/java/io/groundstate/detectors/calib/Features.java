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
            "length", "position", "soft_unsupported", "record_conflicts");

    /** Response-level evidence, aggregated from the sentences' features by {@link #response}. */
    public static final List<String> RESPONSE_NAMES = List.of(
            "unsupported_share", "max_unsupported_ratio", "total_unsupported", "max_unsupported_numbers",
            "mean_calibrated_energy", "max_gain", "null_share", "final_drift_angle", "max_cusum", "min_logprob",
            "soft_unsupported_share", "total_record_conflicts");

    /** Evidence about one content token, for localising the unsupported words of a sentence. */
    public static final List<String> TOKEN_NAMES = List.of(
            "unsupported", "number", "name", "delta", "perturbed", "log_length", "unsupported_neighbours",
            "sentence_logit", "sentence_unsupported_ratio", "sentence_calibrated_energy", "answer_unsupported_share", "soft_support", "record_conflict",
            "structured_context");
    public static final int TOKEN_STRUCTURED_CONTEXT = 13;
    public static final int TOKEN_SENTENCE_LOGIT = 7;

    public static final int ENERGY = 0;
    public static final int CALIBRATED_ENERGY = 1;
    public static final int GAIN = 4;
    public static final int CUSUM = 13;
    public static final int SOFT_UNSUPPORTED = 19;
    public static final int RECORD_CONFLICTS = 20;

    private Features() {
    }

    public static int index(String name) {
        return index(NAMES, name);
    }

    public static int index(List<String> names, String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown feature " + name + "; known: " + names);
        }
        return i;
    }

    /**
     * A response is judged on all of its evidence, not only its worst sentence: above all the share
     * of its content tokens that the context does not support.
     */
    public static double[] response(List<double[]> sentences) {
        double[] r = new double[RESPONSE_NAMES.size()];
        if (sentences.isEmpty()) {
            return r;
        }
        double unsupported = 0;
        double content = 0;
        double energy = 0;
        double nulls = 0;
        double minLogprob = 0;
        double soft = 0;
        double conflicts = 0;
        for (double[] f : sentences) {
            soft += f[SOFT_UNSUPPORTED];
            conflicts += Math.expm1(f[RECORD_CONFLICTS]);
            double u = Math.expm1(f[7]) + Math.expm1(f[8]) + Math.expm1(f[9]);
            unsupported += u;
            content += Math.expm1(f[17]);
            r[1] = Math.max(r[1], f[6]);
            r[3] = Math.max(r[3], f[7]);
            energy += f[CALIBRATED_ENERGY];
            r[5] = Math.max(r[5], f[GAIN]);
            nulls += f[10];
            r[8] = Math.max(r[8], f[CUSUM]);
            minLogprob = Math.min(minLogprob, f[15]);
        }
        r[0] = content == 0 ? 0 : unsupported / content;
        r[2] = Math.log1p(unsupported);
        r[4] = energy / sentences.size();
        r[6] = nulls / sentences.size();
        r[7] = sentences.get(sentences.size() - 1)[14];
        r[9] = minLogprob;
        r[10] = content == 0 ? 0 : soft / content;
        r[11] = Math.log1p(conflicts);
        return r;
    }

    /** Families, for the ablation: each adds the named sentence features to those before it. */
    public static final List<List<String>> FAMILIES = List.of(
            List.of("energy", "calibrated_energy", "margin", "entropy"),
            List.of("gain", "fragility"),
            List.of("null_state", "indirect_transition", "excess_jump"),
            List.of("cusum", "drift_angle"),
            List.of("unsupported_ratio", "unsupported_numbers", "unsupported_names", "unsupported_words",
                    "soft_unsupported", "record_conflicts"),
            List.of("min_logprob", "mean_entropy", "length", "position"));

    /** The same families' response-level evidence. */
    public static final List<List<String>> RESPONSE_FAMILIES = List.of(
            List.of("mean_calibrated_energy"),
            List.of("max_gain"),
            List.of("null_share"),
            List.of("final_drift_angle", "max_cusum"),
            List.of("unsupported_share", "max_unsupported_ratio", "total_unsupported", "max_unsupported_numbers",
                    "soft_unsupported_share", "total_record_conflicts"),
            List.of("min_logprob"));

    /** What the shipped weights use for the verdict: every family that carried evidence in cross-validation. */
    public static final List<String> SHIPPED_RESPONSE = List.of("unsupported_share", "max_unsupported_ratio",
            "total_unsupported", "max_unsupported_numbers", "soft_unsupported_share", "total_record_conflicts",
            "mean_calibrated_energy",
            "final_drift_angle", "max_cusum");

    public static final List<String> FAMILY_NAMES = List.of(
            "grounding energy", "+ perturbation", "+ semantic states", "+ drift", "+ reality basis (lexical)",
            "+ uncertainty and shape");
}
