package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.LENGTH;
import static io.groundstate.detectors.calib.SentenceFeature.MEAN_ENTROPY;
import static io.groundstate.detectors.calib.SentenceFeature.MIN_LOGPROB;
import static io.groundstate.detectors.calib.SentenceFeature.POSITION;
import static io.groundstate.detectors.calib.SentenceFeature.PREAMBLE;

import io.groundstate.detectors.physics.Uncertainty;
import java.util.ArrayList;
import java.util.List;

/**
 * The model's own uncertainty over the sentence's tokens (when the app sent log-probabilities; 0 otherwise) and
 * the sentence's shape: its length in content tokens, its position in the answer, and whether it is a preamble.
 */
record ShapeEvidence(Uncertainty.Result uncertainty, int contentTokens, int index, boolean preamble)
        implements SentenceEvidence {
    static ShapeEvidence of(List<RequestState.Mark> marks, int start, int end, int contentTokens, int index,
                            boolean preamble) {
        List<Uncertainty.TokenStats> stats = new ArrayList<>(marks.size());
        for (RequestState.Mark m : marks) {
            stats.add(new Uncertainty.TokenStats(m.start, m.end, m.logprob, m.entropy));
        }
        return new ShapeEvidence(Uncertainty.over(stats, start, end), contentTokens, index, preamble);
    }

    @Override
    public void writeTo(double[] f) {
        MIN_LOGPROB.set(f, uncertainty.present() ? uncertainty.minLogprob() : 0);
        MEAN_ENTROPY.set(f, uncertainty.present() ? uncertainty.meanEntropy() : 0);
        LENGTH.set(f, Math.log1p(contentTokens));
        POSITION.set(f, Math.log1p(index));
        PREAMBLE.set(f, preamble ? 1 : 0);
    }
}
