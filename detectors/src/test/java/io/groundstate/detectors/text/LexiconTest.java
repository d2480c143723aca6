package io.groundstate.detectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LexiconTest {
    @Test
    void classifiesNumbersNamesAndWords() {
        List<ContentToken> ts = Lexicon.contentTokens("The tower in Paris was four hundred feet and cost $1,200.50 in 1889.");
        assertEquals(List.of("tower:WORD", "Paris:NAME", "four:NUMBER", "hundred:NUMBER", "feet:WORD", "cost:WORD",
                        "1,200.50:NUMBER", "1889:NUMBER"),
                ts.stream().map(t -> t.surface() + ":" + t.kind()).toList());
        assertEquals("1200.5", ts.get(6).norm());
        assertEquals("4", ts.get(2).norm());
    }

    @Test
    void sentenceInitialCapitalIsNotAName() {
        assertEquals(ContentToken.Kind.WORD, Lexicon.contentTokens("Restaurants open late.").get(0).kind());
    }

    @Test
    void vocabularySplitsCamelCaseAndAddsNumberVariants() {
        Set<String> v = Lexicon.vocabulary("{'OutdoorSeating': True, 'hours': '11:30-20:0', 'stars': 3.5, 'pop': 1500000}");
        assertTrue(v.contains("outdoor"));
        assertTrue(v.contains(Lexicon.stem("seating")));
        assertTrue(v.contains("8"), "20:00 is 8 pm");
        assertTrue(v.contains("3.5") && !v.contains("4"), "3.5 stars is not four");
        assertTrue(v.contains("1.5"), "1,500,000 is 1.5 million");
    }

    @Test
    void stemmingMatchesInflections() {
        assertEquals(Lexicon.stem("restaurant"), Lexicon.stem("restaurants"));
        assertEquals(Lexicon.stem("offer"), Lexicon.stem("offered"));
        assertEquals(Lexicon.stem("category"), Lexicon.stem("categories"));
        assertEquals("glass", Lexicon.stem("glass"));
    }
}
