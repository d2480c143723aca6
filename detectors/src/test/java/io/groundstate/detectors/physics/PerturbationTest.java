package io.groundstate.detectors.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tokens are perturbed, the perturbed text, and the gain, fragility and attribution of their deltas. */
class PerturbationTest {
    @Test
    void unsupportedNumbersAndNamesArePerturbedFirstThenUnsupportedWordsThenLongerWords() {
        List<ContentToken> tokens = Lexicon.contentTokens("Marie Curie won 2 prizes for extraordinary chemistry work");
        List<ContentToken> unsupported = tokens.stream()
                .filter(t -> t.surface().equals("2") || t.surface().equals("work")).toList();
        List<String> picked = Perturbation.candidates(tokens, unsupported, 3).stream().map(ContentToken::surface).toList();
        // "2" (unsupported number), "work" (unsupported word), then the first supported name; in text order
        assertEquals(3, picked.size(), picked.toString());
        assertEquals(List.of("2", "work"), picked.stream().filter(s -> s.equals("2") || s.equals("work")).toList());
        assertEquals(1, picked.stream().filter(s -> s.equals("Marie") || s.equals("Curie")).count(), picked.toString());
        List<ContentToken> all = Perturbation.candidates(tokens, unsupported, 100);
        assertEquals(all.stream().map(ContentToken::norm).distinct().count(), all.size(), "one per distinct token");
    }

    @Test
    void withoutRemovesTheTokenAndTidiesTheSpaces() {
        ContentToken t = Lexicon.contentTokens("It opened in 1889 to visitors").stream()
                .filter(x -> x.surface().equals("1889")).findFirst().orElseThrow();
        assertEquals("It opened in to visitors", Perturbation.without("It opened in 1889 to visitors", t));
    }

    @Test
    void gainIsTheLargestDropFragilityTheSpreadAndOnlyDropsAreAttributed() {
        List<ContentToken> tokens = Lexicon.contentTokens("one two three");
        Perturbation.Result r = Perturbation.result(0.5, new double[] {0.1, 0.6, 0.3}, tokens, 3);
        assertArrayEquals(new double[] {0.4, -0.1, 0.2}, r.deltas(), 1e-12);
        assertEquals(0.4, r.gain(), 1e-12);
        double mean = 0.5 / 3;
        double sd = Math.sqrt((Math.pow(0.4 - mean, 2) + Math.pow(-0.1 - mean, 2) + Math.pow(0.2 - mean, 2)) / 3);
        assertEquals(sd, r.fragility(), 1e-12);
        assertEquals(List.of("one", "three"), r.attributed().stream().map(ContentToken::surface).toList(),
                "largest drop first; a token whose removal raised E explains nothing");
        assertEquals(List.of("one"), Perturbation.result(0.5, new double[] {0.1, 0.6, 0.3}, tokens, 1).attributed()
                .stream().map(ContentToken::surface).toList());
        assertEquals(Perturbation.Result.NONE, Perturbation.result(0.5, new double[0], List.of(), 3));
    }
}
