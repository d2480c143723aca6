package io.groundstate.detectors.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The feature layouts: one definition each, the columns stored states and weights files were written with. */
class FeatureLayoutTest {
    @Test
    void theColumnsKeepTheOrderStoredStatesWereWrittenIn() {
        // Request states store sentence vectors by column: a reordered enum would misread every stored state.
        assertEquals(List.of("energy", "calibrated_energy", "margin", "entropy", "gain", "fragility",
                "unsupported_ratio", "unsupported_numbers", "unsupported_names", "unsupported_words", "null_state",
                "indirect_transition", "excess_jump", "cusum", "drift_angle", "min_logprob", "mean_entropy", "length",
                "position", "soft_unsupported", "record_conflicts", "substitutions", "negation_flip", "unsupported_clause",
                "preamble"),
                Features.NAMES);
        assertEquals(List.of("unsupported_share", "max_unsupported_ratio", "total_unsupported",
                "max_unsupported_numbers", "mean_calibrated_energy", "max_gain", "null_share", "final_drift_angle",
                "max_cusum", "min_logprob", "soft_unsupported_share", "total_record_conflicts"), Features.RESPONSE_NAMES);
        assertEquals(List.of("unsupported", "number", "name", "delta", "perturbed", "log_length",
                "unsupported_neighbours", "sentence_logit", "sentence_unsupported_ratio", "sentence_calibrated_energy",
                "answer_unsupported_share", "soft_support", "record_conflict", "structured_context", "substituted",
                "unsupported_clause"), Features.TOKEN_NAMES);
    }

    @Test
    void everyFamilyAndTheShippedWeightsNameKnownFeatures() {
        List<String> all = new ArrayList<>();
        Features.FAMILIES.forEach(all::addAll);
        assertEquals(Features.NAMES.size(), all.size(), "each sentence feature in one family");
        assertTrue(all.containsAll(Features.NAMES));
        Combiner.Weights w = Combiner.shipped().weights();
        assertTrue(Features.NAMES.containsAll(w.sentence().features()));
        assertTrue(Features.RESPONSE_NAMES.containsAll(w.response().features()));
        assertEquals(Features.TOKEN_NAMES, w.token().features());
    }

    @Test
    void aWeightsFileThatNamesAnUnknownFeatureIsRefusedByName() {
        Combiner.Weights w = Combiner.shipped().weights();
        List<String> names = new ArrayList<>(w.sentence().features());
        names.set(0, "energy_typo");
        Combiner.Model bad = new Combiner.Model(names, w.sentence().mean(), w.sentence().scale(), w.sentence().weights(),
                w.sentence().bias());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Combiner(new Combiner.Weights(
                w.version(), w.encoder(), w.fittedOn(), bad, w.response(), w.token(), w.thresholds(), w.spanGranularity())));
        assertTrue(e.getMessage().contains("unknown feature energy_typo"), e.getMessage());
    }

    @Test
    void theResponseAggregateReadsTheColumnsItIsNamedFor() {
        double[] a = new double[SentenceFeature.values().length];
        double[] b = new double[SentenceFeature.values().length];
        SentenceFeature.UNSUPPORTED_NUMBERS.set(a, Math.log1p(2)); // 2 numbers unsupported
        SentenceFeature.LENGTH.set(a, Math.log1p(4));              // of 4 content tokens
        SentenceFeature.LENGTH.set(b, Math.log1p(4));
        SentenceFeature.CUSUM.set(a, 0.3);
        SentenceFeature.DRIFT_ANGLE.set(b, 0.7);
        double[] r = Features.response(List.of(a, b));
        assertEquals(2.0 / 8, ResponseFeature.UNSUPPORTED_SHARE.of(r), 1e-12);
        assertEquals(Math.log1p(2), ResponseFeature.MAX_UNSUPPORTED_NUMBERS.of(r), 1e-12);
        assertEquals(0.3, ResponseFeature.MAX_CUSUM.of(r), 1e-12);
        assertEquals(0.7, ResponseFeature.FINAL_DRIFT_ANGLE.of(r), 1e-12, "the last sentence's angle");
    }
}
