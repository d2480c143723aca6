package io.groundstate.detectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SpanRemovalTest {

    @Test
    void removesTheWordAndOneOfTheSpacesAroundIt() {
        assertEquals("The hotel has a pool.", SpanRemoval.without("The hotel has a big pool.", 16, 19));
        assertEquals("hotel has a pool.", SpanRemoval.without("The hotel has a pool.", 0, 3));
    }

    /** The same string as cutting the span out and then {@code replaceAll("\\s{2,}", " ").strip()}. */
    @Test
    void equalsTheRegexForm() {
        String[] pieces = {"a", "word", " ", "  ", "\t", "\n", "\r\n", "\u000B", "\f", "\u00A0", "\u2003", ".", "é"};
        Random random = new Random(3);
        for (int t = 0; t < 20_000; t++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            String text = b.toString();
            int start = random.nextInt(text.length() + 1);
            int end = start + random.nextInt(text.length() - start + 1);
            String expected = (text.substring(0, start) + text.substring(end)).replaceAll("\\s{2,}", " ").strip();
            assertEquals(expected, SpanRemoval.without(text, start, end), text + " [" + start + ", " + end + ")");
        }
    }
}
