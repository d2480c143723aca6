package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.CALIBRATED_ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.ENERGY;
import static io.groundstate.detectors.calib.SentenceFeature.ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.MARGIN;

import io.groundstate.detectors.physics.Basis;
import io.groundstate.detectors.physics.Grounding;

/**
 * How close the sentence lies to the context: its grounding energy, that energy above the request's zero point,
 * the margin between the two nearest context states and the entropy of its occupation over them.
 */
record GroundingEvidence(Grounding.Result grounding, double calibratedEnergy) implements SentenceEvidence {
    static GroundingEvidence of(float[] sentence, Basis basis, double beta) {
        Grounding.Result g = Grounding.score(sentence, basis, beta);
        return new GroundingEvidence(g, g.energy() - basis.zeroPoint());
    }

    double energy() {
        return grounding.energy();
    }

    @Override
    public void writeTo(double[] f) {
        ENERGY.set(f, grounding.energy());
        CALIBRATED_ENERGY.set(f, calibratedEnergy);
        MARGIN.set(f, grounding.margin());
        ENTROPY.set(f, grounding.entropy());
    }
}
