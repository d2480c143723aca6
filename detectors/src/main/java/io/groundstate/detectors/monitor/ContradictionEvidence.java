package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.NEGATION_FLIP;
import static io.groundstate.detectors.calib.SentenceFeature.SUBSTITUTIONS;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_CLAUSE;

import io.groundstate.detectors.physics.Contradiction;

/** The one-edit signatures of an unsupported claim: substituted values, a flipped negation, an added clause. */
record ContradictionEvidence(Contradiction.Result edits) implements SentenceEvidence {
    @Override
    public void writeTo(double[] f) {
        SUBSTITUTIONS.set(f, Math.log1p(edits.substituted().size()));
        NEGATION_FLIP.set(f, edits.negationFlipped() ? 1 : 0);
        UNSUPPORTED_CLAUSE.set(f, edits.unsupportedClause().isEmpty() ? 0 : 1);
    }
}
