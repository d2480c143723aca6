package io.groundstate.detectors.calib;

import static io.groundstate.detectors.calib.ResponseFeature.FINAL_DRIFT_ANGLE;
import static io.groundstate.detectors.calib.ResponseFeature.MAX_CUSUM;
import static io.groundstate.detectors.calib.ResponseFeature.MAX_GAIN;
import static io.groundstate.detectors.calib.ResponseFeature.MAX_UNSUPPORTED_NUMBERS;
import static io.groundstate.detectors.calib.ResponseFeature.MAX_UNSUPPORTED_RATIO;
import static io.groundstate.detectors.calib.ResponseFeature.MEAN_CALIBRATED_ENERGY;
import static io.groundstate.detectors.calib.ResponseFeature.NULL_SHARE;
import static io.groundstate.detectors.calib.ResponseFeature.SOFT_UNSUPPORTED_SHARE;
import static io.groundstate.detectors.calib.ResponseFeature.TOTAL_RECORD_CONFLICTS;
import static io.groundstate.detectors.calib.ResponseFeature.TOTAL_UNSUPPORTED;
import static io.groundstate.detectors.calib.ResponseFeature.UNSUPPORTED_SHARE;
import static io.groundstate.detectors.calib.SentenceFeature.CALIBRATED_ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.CUSUM;
import static io.groundstate.detectors.calib.SentenceFeature.DRIFT_ANGLE;
import static io.groundstate.detectors.calib.SentenceFeature.ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.EXCESS_JUMP;
import static io.groundstate.detectors.calib.SentenceFeature.FRAGILITY;
import static io.groundstate.detectors.calib.SentenceFeature.GAIN;
import static io.groundstate.detectors.calib.SentenceFeature.INDIRECT_TRANSITION;
import static io.groundstate.detectors.calib.SentenceFeature.LENGTH;
import static io.groundstate.detectors.calib.SentenceFeature.MARGIN;
import static io.groundstate.detectors.calib.SentenceFeature.MEAN_ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.NULL_STATE;
import static io.groundstate.detectors.calib.SentenceFeature.POSITION;
import static io.groundstate.detectors.calib.SentenceFeature.RECORD_CONFLICTS;
import static io.groundstate.detectors.calib.SentenceFeature.SOFT_UNSUPPORTED;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NAMES;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NUMBERS;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_RATIO;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_WORDS;

import java.util.List;

/**
 * The combiner's inputs: one vector per sentence in the column order of {@link SentenceFeature}, one per answer
 * ({@link ResponseFeature}) aggregated from them by {@link #response}, one per content token ({@link TokenFeature}).
 * The lists of names are derived from the enums, which are the one definition of each layout.
 */
public final class Features {
    public static final List<String> NAMES = Feature.keys(SentenceFeature.class);

    /** Response-level evidence, aggregated from the sentences' features by {@link #response}. */
    public static final List<String> RESPONSE_NAMES = Feature.keys(ResponseFeature.class);

    /** Evidence about one content token, for localising the unsupported words of a sentence. */
    public static final List<String> TOKEN_NAMES = Feature.keys(TokenFeature.class);

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
        double[] r = new double[ResponseFeature.values().length];
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
        double maxRatio = 0;
        double maxNumbers = 0;
        double maxGain = 0;
        double maxCusum = 0;
        int claims = 0;
        for (double[] f : sentences) {
            if (SentenceFeature.PREAMBLE.of(f) > 0) {
                continue; // "Here is a summary in 66 words:" says nothing about the context
            }
            claims++;
            soft += SentenceFeature.SOFT_UNSUPPORTED.of(f);
            conflicts += Math.expm1(SentenceFeature.RECORD_CONFLICTS.of(f));
            unsupported += Math.expm1(SentenceFeature.UNSUPPORTED_NUMBERS.of(f))
                    + Math.expm1(SentenceFeature.UNSUPPORTED_NAMES.of(f)) + Math.expm1(SentenceFeature.UNSUPPORTED_WORDS.of(f));
            content += Math.expm1(SentenceFeature.LENGTH.of(f));
            maxRatio = Math.max(maxRatio, SentenceFeature.UNSUPPORTED_RATIO.of(f));
            maxNumbers = Math.max(maxNumbers, SentenceFeature.UNSUPPORTED_NUMBERS.of(f));
            energy += SentenceFeature.CALIBRATED_ENERGY.of(f);
            maxGain = Math.max(maxGain, SentenceFeature.GAIN.of(f));
            nulls += SentenceFeature.NULL_STATE.of(f);
            maxCusum = Math.max(maxCusum, SentenceFeature.CUSUM.of(f));
            minLogprob = Math.min(minLogprob, SentenceFeature.MIN_LOGPROB.of(f));
        }
        ResponseFeature.UNSUPPORTED_SHARE.set(r, content == 0 ? 0 : unsupported / content);
        ResponseFeature.MAX_UNSUPPORTED_RATIO.set(r, maxRatio);
        ResponseFeature.TOTAL_UNSUPPORTED.set(r, Math.log1p(unsupported));
        ResponseFeature.MAX_UNSUPPORTED_NUMBERS.set(r, maxNumbers);
        if (claims == 0) {
            return r;
        }
        ResponseFeature.MEAN_CALIBRATED_ENERGY.set(r, energy / claims);
        ResponseFeature.MAX_GAIN.set(r, maxGain);
        ResponseFeature.NULL_SHARE.set(r, nulls / claims);
        ResponseFeature.FINAL_DRIFT_ANGLE.set(r, SentenceFeature.DRIFT_ANGLE.of(sentences.get(sentences.size() - 1)));
        ResponseFeature.MAX_CUSUM.set(r, maxCusum);
        ResponseFeature.MIN_LOGPROB.set(r, minLogprob);
        ResponseFeature.SOFT_UNSUPPORTED_SHARE.set(r, content == 0 ? 0 : soft / content);
        ResponseFeature.TOTAL_RECORD_CONFLICTS.set(r, Math.log1p(conflicts));
        return r;
    }

    /** Families, for the ablation: each adds the named sentence features to those before it. */
    public static final List<List<String>> FAMILIES = List.of(
            Feature.keys(ENERGY, CALIBRATED_ENERGY, MARGIN, ENTROPY),
            Feature.keys(GAIN, FRAGILITY),
            Feature.keys(NULL_STATE, INDIRECT_TRANSITION, EXCESS_JUMP),
            Feature.keys(CUSUM, DRIFT_ANGLE),
            Feature.keys(UNSUPPORTED_RATIO, UNSUPPORTED_NUMBERS, UNSUPPORTED_NAMES, UNSUPPORTED_WORDS, SOFT_UNSUPPORTED,
                    RECORD_CONFLICTS),
            Feature.keys(SentenceFeature.SUBSTITUTIONS, SentenceFeature.NEGATION_FLIP, SentenceFeature.UNSUPPORTED_CLAUSE),
            Feature.keys(SentenceFeature.MIN_LOGPROB, MEAN_ENTROPY, LENGTH, POSITION, SentenceFeature.PREAMBLE));

    /** The same families' response-level evidence. */
    public static final List<List<String>> RESPONSE_FAMILIES = List.of(
            Feature.keys(MEAN_CALIBRATED_ENERGY),
            Feature.keys(MAX_GAIN),
            Feature.keys(NULL_SHARE),
            Feature.keys(FINAL_DRIFT_ANGLE, MAX_CUSUM),
            Feature.keys(UNSUPPORTED_SHARE, MAX_UNSUPPORTED_RATIO, TOTAL_UNSUPPORTED, MAX_UNSUPPORTED_NUMBERS,
                    SOFT_UNSUPPORTED_SHARE, TOTAL_RECORD_CONFLICTS),
            List.of(), // contradictions decide the verdict directly (AlertRules.hallucinated)
            Feature.keys(ResponseFeature.MIN_LOGPROB));

    /** What the shipped weights use for the verdict: every family that carried evidence in cross-validation. */
    public static final List<String> SHIPPED_RESPONSE = Feature.keys(UNSUPPORTED_SHARE, MAX_UNSUPPORTED_RATIO,
            TOTAL_UNSUPPORTED, MAX_UNSUPPORTED_NUMBERS, SOFT_UNSUPPORTED_SHARE, TOTAL_RECORD_CONFLICTS,
            MEAN_CALIBRATED_ENERGY, FINAL_DRIFT_ANGLE, MAX_CUSUM);

    public static final List<String> FAMILY_NAMES = List.of(
            "grounding energy", "+ perturbation", "+ semantic states", "+ drift", "+ reality basis (lexical)",
            "+ contradiction (one-edit signatures)", "+ uncertainty and shape");
}
