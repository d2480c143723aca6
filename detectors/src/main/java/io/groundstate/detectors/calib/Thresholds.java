package io.groundstate.detectors.calib;

/**
 * Decision thresholds, fitted by calibrate alongside the weights.
 *
 * @param sentence     P(unsupported) at which a sentence is flagged and an ungrounded-span alert fires
 * @param critical     P at which that alert is critical rather than a warning
 * @param response     max sentence P at which a response is judged hallucinated
 * @param fragileGain  perturbation gain at which a fragile-state alert fires
 * @param driftKappa   CUSUM slack: calibrated energy tolerated per sentence
 * @param driftH       CUSUM alarm level
 * @param nullEnergy   calibrated energy above which a sentence sits in the null state
 * @param token        P(token unsupported) at which a token is part of a localised span, in a structured record
 * @param tokenProse   the same for prose contexts, where evidence is weaker (null: as {@code token})
 */
public record Thresholds(double sentence, double critical, double response, double fragileGain,
                         double driftKappa, double driftH, double nullEnergy, double token, Double tokenProse) {

    public double proseToken() {
        return tokenProse == null ? token : tokenProse;
    }
}
