package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.RECORD_CONFLICTS;
import static io.groundstate.detectors.calib.SentenceFeature.SOFT_UNSUPPORTED;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NAMES;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_NUMBERS;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_RATIO;
import static io.groundstate.detectors.calib.SentenceFeature.UNSUPPORTED_WORDS;

import io.groundstate.detectors.physics.RealityBasis;
import io.groundstate.detectors.text.ContentToken;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reality-basis check: the sentence's numbers, names and words that the context does not contain, how much
 * of that the context still supports in meaning (soft support), and the values that contradict a structured
 * record in the context.
 */
record LexicalEvidence(RealityBasis.Result reality, List<ContentToken> conflicts, double softUnsupported)
        implements SentenceEvidence {
    /** @param softSupport each unsupported token's support in meaning (0..1), by lower-cased surface */
    static LexicalEvidence of(RealityBasis.Result reality, List<ContentToken> conflicts, Map<String, Double> softSupport) {
        double soft = 0;
        for (ContentToken t : reality.unsupported()) {
            soft += 1 - softSupport.getOrDefault(t.surface().toLowerCase(Locale.ROOT), 0.0);
        }
        return new LexicalEvidence(reality, conflicts, soft);
    }

    @Override
    public void writeTo(double[] f) {
        UNSUPPORTED_RATIO.set(f, reality.ratio());
        UNSUPPORTED_NUMBERS.set(f, Math.log1p(reality.unsupportedNumbers()));
        UNSUPPORTED_NAMES.set(f, Math.log1p(reality.unsupportedNames()));
        UNSUPPORTED_WORDS.set(f, Math.log1p(reality.unsupportedWords()));
        SOFT_UNSUPPORTED.set(f, softUnsupported);
        RECORD_CONFLICTS.set(f, Math.log1p(conflicts.size()));
    }
}
