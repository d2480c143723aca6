package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.FRAGILITY;
import static io.groundstate.detectors.calib.SentenceFeature.GAIN;

import io.groundstate.detectors.physics.Basis;
import io.groundstate.detectors.physics.Perturbation;
import io.groundstate.detectors.text.ContentToken;
import java.util.List;

/**
 * Whether the sentence's grounding hinges on single words (a fragile state): the largest drop in energy when
 * one perturbed token is left out (gain) and the spread of those drops (fragility).
 */
record PerturbationEvidence(Perturbation.Result result) implements SentenceEvidence {
    /** @param withoutVectors the sentence's embedding with each of {@code perturbed} left out, in that order */
    static PerturbationEvidence of(double energy, float[][] withoutVectors, Basis basis, List<ContentToken> perturbed,
                                   int attributeTop) {
        return new PerturbationEvidence(Perturbation.result(energy, basis.energies(withoutVectors), perturbed,
                attributeTop));
    }

    @Override
    public void writeTo(double[] f) {
        GAIN.set(f, result.gain());
        FRAGILITY.set(f, result.fragility());
    }
}
