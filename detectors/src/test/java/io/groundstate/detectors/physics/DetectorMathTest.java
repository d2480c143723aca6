package io.groundstate.detectors.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.vec.Vectors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detector families' mathematics on vectors small enough to check by hand: grounding energy and margin,
 * occupation entropy, semantic states and licensed transitions, CUSUM drift, and sampling uncertainty. Each case
 * fails when its formula is broken (a sign, a max for a min, a missing normalisation).
 */
class DetectorMathTest {
    /** Unit vectors in the plane at the given angles (radians), padded to 3 dimensions. */
    static float[] at(double angle) {
        return new float[] {(float) Math.cos(angle), (float) Math.sin(angle), 0};
    }

    static Basis basis(float[][] states, int[] cluster, float[][] centroids, float[] question) {
        List<BasisState> bs = new java.util.ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            bs.add(new BasisState("c" + i, i, "s" + i, states[i]));
        }
        return new Basis(bs, cluster, centroids, question, 0.02);
    }

    @Test
    void groundingEnergyIsOneMinusTheBestCosineAndHalfTheSquaredDistance() {
        Basis b = basis(new float[][] {at(0), at(Math.PI / 3), at(Math.PI / 2)}, new int[] {0, 1, 2},
                new float[][] {at(0), at(Math.PI / 3), at(Math.PI / 2)}, null);
        float[] s = at(Math.PI / 12); // 15 degrees from state 0, 45 from state 1
        Grounding.Result g = Grounding.score(s, b, 10);
        assertEquals(0, g.nearest());
        assertEquals(1 - Math.cos(Math.PI / 12), g.energy(), 1e-6);
        // on the unit sphere 1 - cos = |s - c|^2 / 2, exactly
        double d2 = 0;
        for (int k = 0; k < 3; k++) {
            d2 += (s[k] - at(0)[k]) * (s[k] - at(0)[k]);
        }
        assertEquals(d2 / 2, g.energy(), 1e-6);
        assertEquals(Math.cos(Math.PI / 12) - Math.cos(Math.PI / 4), g.margin(), 1e-6, "best minus second best");
        assertEquals(Math.cos(Math.PI / 12), g.nearestSimilarity(), 1e-6);
    }

    @Test
    void occupationEntropyIsHighBetweenEqualStatesAndLowNearOne() {
        Basis b = basis(new float[][] {at(0), at(Math.PI / 2)}, new int[] {0, 1},
                new float[][] {at(0), at(Math.PI / 2)}, null);
        double between = Grounding.score(at(Math.PI / 4), b, 10).entropy();
        double near = Grounding.score(at(0.05), b, 10).entropy();
        assertEquals(1.0, between, 1e-6, "equal amplitudes: the normalised entropy is 1");
        assertTrue(near < 0.1, "one state dominates: " + near);
        assertEquals(1.0, Grounding.score(at(0.3), basis(new float[][] {at(0)}, new int[] {0},
                new float[][] {at(0)}, null), 10).margin(), "a single state has the whole margin");
    }

    @Test
    void aSentenceIsInTheNearestStateTheQuestionsOrNullWhenItsEnergyIsTooHigh() {
        float[][] states = {at(0), at(0.1), at(Math.PI / 2)};
        Basis b = basis(states, new int[] {0, 0, 1}, new float[][] {at(0.05), at(Math.PI / 2)}, at(Math.PI));
        assertEquals(0, SemanticStates.assign(at(0.02), b, 0.3, 0.01));
        assertEquals(1, SemanticStates.assign(at(1.5), b, 0.3, 0.01));
        assertEquals(SemanticStates.QUESTION, SemanticStates.assign(at(3.0), b, 0.3, 0.01));
        assertEquals(SemanticStates.NULL, SemanticStates.assign(at(0.02), b, 0.3, 0.31), "grounded nowhere");
        // Licensed energy between the two clusters: 1 - cos of their centroids; none to stay; NaN through null.
        assertEquals(1 - Math.cos(Math.PI / 2 - 0.05), SemanticStates.licensed(0, 1, b), 1e-6);
        assertEquals(0, SemanticStates.licensed(1, 1, b));
        assertTrue(Double.isNaN(SemanticStates.licensed(SemanticStates.NULL, 0, b)));
        assertEquals("mu1", SemanticStates.name(1));
    }

    @Test
    void cusumAccumulatesEnergyAboveKappaAndNeverGoesBelowZero() {
        double kappa = 0.05;
        double s = 0;
        for (double e : new double[] {0.02, 0.01, 0.0}) {
            s = Drift.cusum(s, e, kappa);
        }
        assertEquals(0, s, "faithful sentences keep it at zero");
        for (double e : new double[] {0.15, 0.15, 0.15}) {
            s = Drift.cusum(s, e, kappa);
        }
        assertEquals(0.30, s, 1e-12, "three sentences 0.10 above kappa");
        s = Drift.cusum(s, 0.0, kappa);
        assertEquals(0.25, s, 1e-12, "a grounded sentence pulls it back by kappa");
        assertEquals(0, Drift.cusum(0.01, 0.0, kappa), "clamped at zero");
        // Drift in direction is an angle, a metric: arccos of the cosine, not 1 - cos.
        assertEquals(Math.PI / 3, Vectors.angle(at(0), at(Math.PI / 3)), 1e-6);
    }

    @Test
    void uncertaintyTakesTheLowestLogprobAndTheMeanEntropyOfTheSentencesTokens() {
        assertEquals(Math.log(2), Uncertainty.entropy(new double[] {Math.log(0.5), Math.log(0.5)}), 1e-12);
        assertEquals(0, Uncertainty.entropy(new double[] {0}), 1e-12, "one certain alternative");
        // Renormalised: alternatives that do not sum to 1 are the top ones of a larger distribution.
        assertEquals(Math.log(2), Uncertainty.entropy(new double[] {Math.log(0.2), Math.log(0.2)}), 1e-12);
        List<Uncertainty.TokenStats> tokens = List.of(
                new Uncertainty.TokenStats(0, 5, -0.1, 0.2),
                new Uncertainty.TokenStats(5, 10, -2.5, 0.6),
                new Uncertainty.TokenStats(10, 15, -0.01, Double.NaN),
                new Uncertainty.TokenStats(15, 20, -9.0, 1.0)); // outside the sentence [0, 15)
        Uncertainty.Result r = Uncertainty.over(tokens, 0, 15);
        assertTrue(r.present());
        assertEquals(-2.5, r.minLogprob(), 1e-12);
        assertEquals(0.4, r.meanEntropy(), 1e-12, "the mean over tokens that have alternatives");
        assertFalse(Uncertainty.over(List.of(new Uncertainty.TokenStats(0, 5, Double.NaN, Double.NaN)), 0, 5).present(),
                "no logprobs sent: absent, not zero evidence");
    }

    @Test
    void theRealityBasisFindsTheNumberAndNameTheContextLacks() {
        java.util.Set<String> context = io.groundstate.detectors.text.Lexicon.vocabulary(
                "The Eiffel Tower in Paris was completed in 1889 by the company of Gustave Eiffel.");
        RealityBasis.Result faithful = RealityBasis.check(io.groundstate.detectors.text.Lexicon.contentTokens(
                "The Eiffel Tower was completed in 1889."), context);
        assertEquals(0, faithful.unsupported().size(), faithful.toString());
        RealityBasis.Result swapped = RealityBasis.check(io.groundstate.detectors.text.Lexicon.contentTokens(
                "The Eiffel Tower was completed in 1925 by Thomas Edison."), context);
        assertEquals(1, swapped.unsupportedNumbers(), swapped.toString());
        assertTrue(swapped.unsupportedNames() >= 1, swapped.toString());
        assertEquals(List.of("1925", "Thomas", "Edison"), swapped.unsupported().stream()
                .map(io.groundstate.detectors.text.ContentToken::surface).toList());
        assertEquals(swapped.unsupported().size() / (double) swapped.content(), swapped.ratio(), 1e-12);
    }
}
