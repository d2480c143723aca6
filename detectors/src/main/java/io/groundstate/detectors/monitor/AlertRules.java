package io.groundstate.detectors.monitor;

import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.monitor.MonitorOutput.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule of every alert kind, as a pure function of a scored sentence: the monitor publishes what it decides and
 * {@code eval} measures the same decisions on held-out folds, so what is measured is what is shipped.
 */
public final class AlertRules {
    private AlertRules() {
    }

    /** One alert a sentence raises, before it is dressed as an output. */
    public record Decision(AlertKind kind, Severity severity, double score, double threshold) {
    }

    /** The drift rule's memory between an answer's sentences: armed until it fires, re-armed at a CUSUM of 0. */
    public static final class DriftArm {
        boolean armed = true;

        public DriftArm() {
        }

        DriftArm(boolean armed) {
            this.armed = armed;
        }
    }

    /**
     * Whether a sentence is flagged, the same rule by which it raises an UNGROUNDED_SPAN alert: its probability
     * reaches the sentence threshold, or the context contradicts it outright, which no prior may outvote.
     */
    public static boolean flagged(Thresholds th, double probability, double[] features) {
        return claim(features) && (probability >= th.sentence() || signature(features));
    }

    /**
     * The context says otherwise: a number, name or unit where the context has another
     * ({@link SentenceFeature#SUBSTITUTIONS}), a negation it does not share ({@link SentenceFeature#NEGATION_FLIP}),
     * or a yes/no attribute of a record stated the other way ({@link SentenceFeature#RECORD_CONFLICTS}).
     */
    public static boolean contradicted(double[] features) {
        return claim(features) && signature(features);
    }

    private static boolean signature(double[] f) {
        return SentenceFeature.SUBSTITUTIONS.of(f) > 0 || SentenceFeature.NEGATION_FLIP.of(f) > 0
                || SentenceFeature.RECORD_CONFLICTS.of(f) > 0;
    }

    /** A preamble ("Sure!") states nothing about the context: nothing in it is flagged or alerted. */
    private static boolean claim(double[] f) {
        return SentenceFeature.PREAMBLE.of(f) == 0;
    }

    /** The verdict: the answer's probability reaches the response threshold, or one of its sentences is contradicted. */
    public static boolean hallucinated(Thresholds th, double responseProbability, List<double[]> sentenceFeatures) {
        return responseProbability >= th.response() || sentenceFeatures.stream().anyMatch(AlertRules::contradicted);
    }

    /**
     * The alerts of a sentence just scored: UNGROUNDED_SPAN when it is {@link #flagged} (critical when its
     * probability reaches the critical level), FRAGILE_STATE when leaving one token out moves its energy by the fragile
     * gain, DRIFT when the answer's CUSUM crosses h (once, re-armed when it falls back to 0).
     *
     * @param features the sentence's features, in {@link SentenceFeature} order (its CUSUM is the answer's so far)
     */
    public static List<Decision> decide(Thresholds th, double probability, double[] features, DriftArm drift) {
        List<Decision> out = new ArrayList<>(2);
        if (flagged(th, probability, features)) {
            out.add(new Decision(AlertKind.UNGROUNDED_SPAN,
                    probability >= th.critical() ? Severity.CRITICAL : Severity.WARNING, probability, th.sentence()));
        }
        double gain = SentenceFeature.GAIN.of(features);
        boolean claim = claim(features);
        if (claim && gain >= th.fragileGain()) {
            out.add(new Decision(AlertKind.FRAGILE_STATE, Severity.WARNING, gain, th.fragileGain()));
        }
        double cusum = SentenceFeature.CUSUM.of(features);
        if (claim && cusum > th.driftH() && drift.armed) {
            drift.armed = false;
            out.add(new Decision(AlertKind.DRIFT, Severity.WARNING, cusum, th.driftH()));
        } else if (cusum == 0) {
            drift.armed = true;
        }
        return out;
    }
}
