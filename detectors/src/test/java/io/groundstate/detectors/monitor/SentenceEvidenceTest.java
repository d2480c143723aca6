package io.groundstate.detectors.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.physics.Basis;
import io.groundstate.detectors.physics.BasisState;
import io.groundstate.detectors.physics.RealityBasis;
import io.groundstate.detectors.physics.SemanticStates;
import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each detector family's evidence on cases small enough to work out by hand: the values it finds and that it
 * writes them to its own columns only, so that a family writing another's column, or a formula broken, fails.
 */
class SentenceEvidenceTest {
    static float[] at(double angle) {
        return new float[] {(float) Math.cos(angle), (float) Math.sin(angle), 0};
    }

    /** Two clusters a right angle apart, zero point 0.02. */
    static Basis twoClusters() {
        List<BasisState> states = List.of(new BasisState("c0", 0, "s0", at(0)), new BasisState("c1", 1, "s1", at(0.1)),
                new BasisState("c2", 2, "s2", at(Math.PI / 2)));
        return new Basis(states, new int[] {0, 0, 1}, new float[][] {at(0.05), at(Math.PI / 2)}, null, 0.02);
    }

    /** The columns {@code e} writes, found by writing into NaN and seeing which changed. */
    static Set<SentenceFeature> columns(SentenceEvidence e) {
        double[] f = new double[SentenceFeature.values().length];
        java.util.Arrays.fill(f, Double.NaN);
        e.writeTo(f);
        Set<SentenceFeature> out = new HashSet<>();
        for (SentenceFeature c : SentenceFeature.values()) {
            if (!Double.isNaN(c.of(f))) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every family writes exactly the columns of its family in the ablation, and together they write all. */
    @Test
    void eachFamilyWritesItsOwnColumnsAndTogetherAllOfThem() {
        Basis b = twoClusters();
        GroundingEvidence g = GroundingEvidence.of(at(0.2), b, 10);
        List<ContentToken> tokens = Lexicon.contentTokens("Paris has 12 bridges");
        RealityBasis.Result reality = RealityBasis.check(tokens, Set.of("paris", "bridges"));
        List<SentenceEvidence> families = List.of(g,
                PerturbationEvidence.of(g.energy(), new float[][] {at(0.1)}, b, tokens.subList(0, 1), 3),
                TransitionEvidence.of(at(0.2), g.energy(), 0.5, null, 0, b),
                DriftEvidence.of(0, g.calibratedEnergy(), 0.05, null, at(0.2), at(0)),
                LexicalEvidence.of(reality, List.of(), Map.of()),
                new ContradictionEvidence(io.groundstate.detectors.physics.Contradiction.Result.NONE),
                ShapeEvidence.of(List.of(), 0, 10, tokens.size(), 0, false));
        Set<SentenceFeature> all = new HashSet<>();
        for (int i = 0; i < families.size(); i++) {
            Set<SentenceFeature> mine = columns(families.get(i));
            Set<String> keys = new HashSet<>();
            mine.forEach(c -> keys.add(c.key()));
            assertEquals(new HashSet<>(Features.FAMILIES.get(i)), keys, families.get(i).getClass().getSimpleName());
            assertTrue(all.stream().noneMatch(mine::contains), "two families write one column");
            all.addAll(mine);
        }
        assertEquals(Set.of(SentenceFeature.values()), all);
    }

    @Test
    void groundingIsCalibratedByTheRequestsZeroPoint() {
        GroundingEvidence g = GroundingEvidence.of(at(0.2), twoClusters(), 10);
        assertEquals(1 - Math.cos(0.1), g.energy(), 1e-6, "nearest state is 0.1 rad away");
        assertEquals(g.energy() - 0.02, g.calibratedEnergy(), 1e-12);
    }

    /** Leaving a token out that brings the sentence onto a state is a gain; the spread of the drops is the fragility. */
    @Test
    void perturbationGainIsTheLargestDropInEnergyAndFragilityTheirSpread() {
        Basis b = twoClusters();
        List<ContentToken> tokens = Lexicon.contentTokens("alpha beta");
        double energy = 1 - Math.cos(0.3);
        // without alpha: onto a state (energy 0); without beta: further away (0.5 rad from the nearest)
        PerturbationEvidence p = PerturbationEvidence.of(energy, new float[][] {at(0), at(-0.5)}, b, tokens, 1);
        double dAlpha = energy;
        double dBeta = energy - (1 - Math.cos(0.5));
        assertEquals(dAlpha, p.result().gain(), 1e-6);
        assertEquals(Math.abs(dAlpha - dBeta) / 2, p.result().fragility(), 1e-6, "population sd of two values");
        assertEquals(List.of(tokens.get(0)), p.result().attributed(), "only the token whose removal lowered E");
    }

    @Test
    void aJumpBetweenClustersIsLicensedUpToTheirDistanceAndIndirectFarBeyondIt() {
        Basis b = twoClusters();
        TransitionEvidence first = TransitionEvidence.of(at(0), 0, 0.5, null, 0, b);
        assertEquals("first", first.transition());
        assertEquals(0, first.excessJump());
        // cluster 0 to cluster 1: jump = 1 - cos(pi/2) = 1, licensed = 1 - cos(pi/2 - 0.05)
        TransitionEvidence across = TransitionEvidence.of(at(Math.PI / 2), 0, 0.5, at(0), 0, b);
        assertEquals(1, across.state());
        assertEquals(1 - (1 - Math.cos(Math.PI / 2 - 0.05)), across.excessJump(), 1e-6);
        assertEquals("direct", across.transition(), "0.05 over the licence is within 2 * max(zero point, 0.05)");
        // Energy above the null threshold: the null state, and any move into it is indirect (nothing licenses it).
        TransitionEvidence intoNull = TransitionEvidence.of(at(0.01), 0.9, 0.5, at(0), 0, b);
        assertEquals(SemanticStates.NULL, intoNull.state());
        assertTrue(intoNull.indirect());
        assertEquals(1 - Math.cos(0.01), intoNull.excessJump(), 1e-6, "unlicensed: the whole jump is excess");
    }

    @Test
    void driftSumsTheAnswerAndMeasuresItsAngleToTheContextWithoutChangingTheSumItWasGiven() {
        float[] before = at(0);
        DriftEvidence d = DriftEvidence.of(0.1, 0.2, 0.05, before, at(Math.PI / 2), at(0));
        assertArrayEquals(at(0), before, "the state's running sum is replaced, not changed in place");
        assertEquals(0.1 + 0.2 - 0.05, d.cusum(), 1e-12);
        assertEquals(Math.PI / 4, d.driftAngle(), 1e-6, "sum of 0 and 90 degrees points at 45");
        assertEquals(0, DriftEvidence.of(0, 0, 0.05, null, at(1), null).driftAngle(), "no centroid, no angle");
    }

    @Test
    void softSupportDiscountsAnUnsupportedWordByHowMuchTheContextSupportsItsMeaning() {
        List<ContentToken> tokens = Lexicon.contentTokens("The tower is 330 metres tall");
        RealityBasis.Result reality = RealityBasis.check(tokens, Set.of("tower", "tall"));
        assertEquals(2, reality.unsupported().size(), reality.unsupported().toString());
        LexicalEvidence none = LexicalEvidence.of(reality, List.of(), Map.of());
        LexicalEvidence some = LexicalEvidence.of(reality, List.of(), Map.of("metres", 0.75));
        assertEquals(2, none.softUnsupported(), 1e-12);
        assertEquals(1.25, some.softUnsupported(), 1e-12);
        double[] f = new double[SentenceFeature.values().length];
        some.writeTo(f);
        assertEquals(Math.log1p(1), SentenceFeature.UNSUPPORTED_NUMBERS.of(f), 1e-12);
        assertEquals(0, SentenceFeature.RECORD_CONFLICTS.of(f));
    }

    @Test
    void uncertaintyReadsOnlyTheSentencesOwnTokensAndIsAbsentWithoutLogprobs() {
        List<RequestState.Mark> marks = new ArrayList<>();
        for (double[] m : new double[][] {{0, 5, -0.1, 0.2}, {5, 10, -2.5, 1.0}, {10, 15, -9, 3}}) {
            RequestState.Mark mark = new RequestState.Mark();
            mark.start = (int) m[0];
            mark.end = (int) m[1];
            mark.logprob = m[2];
            mark.entropy = m[3];
            marks.add(mark);
        }
        ShapeEvidence first = ShapeEvidence.of(marks, 0, 10, 4, 2, false);
        double[] f = new double[SentenceFeature.values().length];
        first.writeTo(f);
        assertEquals(-2.5, SentenceFeature.MIN_LOGPROB.of(f), 1e-12, "the third token is another sentence's");
        assertEquals(0.6, SentenceFeature.MEAN_ENTROPY.of(f), 1e-12);
        assertEquals(Math.log1p(4), SentenceFeature.LENGTH.of(f), 1e-12);
        assertEquals(Math.log1p(2), SentenceFeature.POSITION.of(f), 1e-12);
        assertFalse(ShapeEvidence.of(List.of(), 0, 10, 4, 0, false).uncertainty().present());
    }
}
