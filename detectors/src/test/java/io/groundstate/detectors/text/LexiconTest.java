package io.groundstate.detectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** The hand-written scanner finds exactly what the regular expressions define, camelCase splitting included. */
    @Test
    void scannerFindsWhatTheRegexFinds() {
        String[] pieces = {"a", "B", "z", "Ünïcödé", "ǅ", "ß", "\u02B0", "\uD835\uDC00", "\uD835\uDC1A", "\uD800",
            "\u0301", "0", "7", "42", "\u0663", ".", ",", "'", "\u2019", " ", "\n", "-", "x'y", "don't", "1,500.25",
            "3.", ",5", "camelCase", "HTMLParser", "ab'cD", "é"};
        Random random = new Random(7);
        List<String> texts = new ArrayList<>(List.of("", "'", "1,2.", "rock'n'roll", "O'Neill's", "iPhone15Pro",
                "the 3rdQuarter", "a,b", "1.2.3,4", "xY'z", "ab'cD"));
        for (int t = 0; t < 20_000; t++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            texts.add(b.toString());
        }
        Pattern token = Pattern.compile(Lexicon.TOKEN_REGEX);
        Pattern camel = Pattern.compile(Lexicon.CAMEL_REGEX);
        for (String text : texts) {
            assertEquals(regexTokens(token.matcher(text), true), scannerTokens(new Lexicon.Tokens(text, false), true),
                    text);
            assertEquals(regexTokens(token.matcher(camel.matcher(text).replaceAll(" ")), false),
                    scannerTokens(new Lexicon.Tokens(text, true), false), text);
        }
    }

    private static List<String> regexTokens(Matcher m, boolean withPositions) {
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(withPositions ? m.start() + ":" + m.end() + ":" + m.group() : m.group());
        }
        return out;
    }

    private static List<String> scannerTokens(Lexicon.Tokens m, boolean withPositions) {
        List<String> out = new ArrayList<>();
        while (m.find()) {
            assertEquals(Character.isDigit(m.group().charAt(0)), m.isNumber(), m.group());
            out.add(withPositions ? m.start() + ":" + m.end() + ":" + m.group() : m.group());
        }
        return out;
    }
}
