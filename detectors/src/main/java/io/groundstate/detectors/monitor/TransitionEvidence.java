package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.EXCESS_JUMP;
import static io.groundstate.detectors.calib.SentenceFeature.INDIRECT_TRANSITION;
import static io.groundstate.detectors.calib.SentenceFeature.NULL_STATE;

import io.groundstate.detectors.physics.Basis;
import io.groundstate.detectors.physics.SemanticStates;
import io.groundstate.detectors.vec.Vectors;

/**
 * The sentence's semantic state (a context cluster, or the null state when nothing is near) and the move from
 * the previous sentence's: how far the jump exceeds what the context licenses between the two states, and
 * whether it is indirect (unlicensed, or far beyond the licence).
 */
record TransitionEvidence(int state, String transition, double excessJump, boolean indirect)
        implements SentenceEvidence {
    /** @param previousVector the previous sentence's embedding, null for the first sentence */
    static TransitionEvidence of(float[] sentence, double energy, double nullEnergy, float[] previousVector,
                                 int previousState, Basis basis) {
        int z = SemanticStates.assign(sentence, basis, nullEnergy, energy);
        if (previousVector == null) {
            return new TransitionEvidence(z, "first", 0, z == SemanticStates.NULL);
        }
        double jump = 1 - Vectors.cos(sentence, previousVector);
        double licensed = SemanticStates.licensed(previousState, z, basis);
        double excess = Double.isNaN(licensed) ? jump : Math.max(0, jump - licensed);
        boolean indirect = Double.isNaN(licensed) || jump > licensed + 2 * Math.max(basis.zeroPoint(), 0.05);
        return new TransitionEvidence(z, indirect ? "indirect" : "direct", excess, indirect);
    }

    @Override
    public void writeTo(double[] f) {
        NULL_STATE.set(f, state == SemanticStates.NULL ? 1 : 0);
        INDIRECT_TRANSITION.set(f, indirect ? 1 : 0);
        EXCESS_JUMP.set(f, excessJump);
    }
}
