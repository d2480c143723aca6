package io.groundstate.detectors.text;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PreambleTest {
    @Test
    void whatAnAnswerSaysToTheUserIsAPreamble() {
        for (String s : List.of("Sure!", "Certainly.", "Here's the summary within 130 words:",
                "Here is a summary of the article in 66 words:",
                "Sure, here's a summary of the article in 200 words:",
                "Based on the provided structured data, here is an objective overview of The India Club:",
                "Based on the provided passages, the proper way to dispose of a worn USA flag is as follows:")) {
            assertTrue(Preamble.is(s), s);
        }
    }

    @Test
    void aClaimIsNot() {
        for (String s : List.of("Sure Bet Ltd was founded in 1999.", "The tower is 330 metres tall.",
                "The restaurant offers the following amenities", "Here is where the treaty was signed in 1648.",
                "Surely the council will approve it.")) {
            assertFalse(Preamble.is(s), s);
        }
    }
}
