package io.groundstate.detectors.text;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Tokens, normalisation and the vocabulary of a context: the lexical side of the reality basis. */
public final class Lexicon {
    /** The token grammar; {@link Tokens} finds the same tokens by hand, several times faster. */
    static final String TOKEN_REGEX = "\\d+(?:[.,]\\d+)*|\\p{L}+(?:'\\p{L}+)?";
    /** Where {@link #vocabulary} splits camelCase words (a letter run also ends here when split). */
    static final String CAMEL_REGEX = "(?<=\\p{Ll})(?=\\p{Lu})";

    /** Function words and the boilerplate of generated answers ("according to the passage"). */
    private static final Set<String> STOPWORDS = Set.copyOf(java.util.Arrays.asList((
            "a about above after again against all also am an and any are aren't as at be because been before being "
            + "below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down "
            + "during each either few for from further had hadn't has hasn't have haven't having he he'd he'll he's her "
            + "here here's hers herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's "
            + "its itself let's me more most mustn't my myself neither no nor not of off on once only or other ought our "
            + "ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that "
            + "that's the their theirs them themselves then there there's these they they'd they'll they're they've this "
            + "those through to too under until up upon very was wasn't we we'd we'll we're we've were weren't what "
            + "what's when when's where where's which while who who's whom why why's will with won't would wouldn't you "
            + "you'd you'll you're you've your yours yourself yourselves may might must shall also just well yes "
            + "within without via per among whether yet still even though although thus therefore "
            + "according based provided passage passages context information text article summary mentioned states "
            + "stated says said overall additionally furthermore moreover").split(" ")));

    private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
            Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"),
            Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"),
            Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"), Map.entry("eleven", "11"),
            Map.entry("twelve", "12"), Map.entry("thirteen", "13"), Map.entry("fourteen", "14"),
            Map.entry("fifteen", "15"), Map.entry("sixteen", "16"), Map.entry("seventeen", "17"),
            Map.entry("eighteen", "18"), Map.entry("nineteen", "19"), Map.entry("twenty", "20"),
            Map.entry("thirty", "30"), Map.entry("forty", "40"), Map.entry("fifty", "50"), Map.entry("sixty", "60"),
            Map.entry("seventy", "70"), Map.entry("eighty", "80"), Map.entry("ninety", "90"),
            Map.entry("hundred", "100"), Map.entry("thousand", "1000"), Map.entry("million", "1000000"),
            Map.entry("billion", "1000000000"), Map.entry("dozen", "12"), Map.entry("first", "1"),
            Map.entry("second", "2"), Map.entry("third", "3"), Map.entry("fourth", "4"), Map.entry("fifth", "5"),
            Map.entry("half", "0.5"));

    private Lexicon() {
    }

    /**
     * The tokens of {@link #TOKEN_REGEX}, found left to right as {@code Matcher.find} finds them: a run of ASCII
     * digits with {@code .} or {@code ,} between digit groups, or a run of letters with at most one apostrophe
     * between letters. With {@code camel}, a letter run also ends between a lower-case and an upper-case letter,
     * as if {@link #CAMEL_REGEX} had put a space there. Tokenising was a tenth of the detectors' time as a regex.
     */
    static final class Tokens {
        private final String text;
        private final boolean camel;
        private int pos;
        private int start = -1;
        private int end = -1;
        private boolean number;

        Tokens(String text, boolean camel) {
            this.text = text;
            this.camel = camel;
        }

        boolean find() {
            int n = text.length();
            while (pos < n) {
                int cp = text.codePointAt(pos);
                if (isDigit(cp)) {
                    int i = digits(pos);
                    while (i + 1 < n && (text.charAt(i) == '.' || text.charAt(i) == ',') && isDigit(text.charAt(i + 1))) {
                        i = digits(i + 1);
                    }
                    return found(pos, i, true);
                }
                if (Character.isLetter(cp)) {
                    int i = letters(pos);
                    if (i + 1 < n && text.charAt(i) == '\'' && Character.isLetter(text.codePointAt(i + 1))) {
                        i = letters(i + 1);
                    }
                    return found(pos, i, false);
                }
                pos += Character.charCount(cp);
            }
            return false;
        }

        private boolean found(int from, int to, boolean isNumber) {
            start = from;
            end = to;
            number = isNumber;
            pos = to;
            return true;
        }

        private int digits(int i) {
            while (i < text.length() && isDigit(text.charAt(i))) {
                i++;
            }
            return i;
        }

        private int letters(int i) {
            int previousType = -1;
            while (i < text.length()) {
                int cp = text.codePointAt(i);
                if (!Character.isLetter(cp)) {
                    break;
                }
                if (camel && previousType == Character.LOWERCASE_LETTER && Character.getType(cp) == Character.UPPERCASE_LETTER) {
                    break;
                }
                i += Character.charCount(cp);
                // The regex's look-behind sees one char: after a supplementary letter, its low surrogate.
                previousType = Character.getType(text.charAt(i - 1));
            }
            return i;
        }

        private static boolean isDigit(int c) {
            return c >= '0' && c <= '9';
        }

        int start() {
            return start;
        }

        int end() {
            return end;
        }

        String group() {
            return text.substring(start, end);
        }

        boolean isNumber() {
            return number;
        }
    }

    private static final Pattern CAMEL = Pattern.compile(CAMEL_REGEX);
    private static final Pattern GROUPED_NUMBER = Pattern.compile("\\d{1,3}(,\\d{3})+(\\.\\d+)?");

    public static boolean isStopword(String lower) {
        return STOPWORDS.contains(lower);
    }

    /** Content tokens of a text: numbers (digits or number words), names, and content words of 3+ letters. */
    public static List<ContentToken> contentTokens(String text) {
        List<ContentToken> out = new ArrayList<>();
        Tokens m = new Tokens(text, false);
        boolean sentenceStart = true;
        int lastEnd = 0;
        while (m.find()) {
            String surface = m.group();
            if (lastEnd < m.start() && endsSentence(text, lastEnd, m.start())) {
                sentenceStart = true;
            }
            lastEnd = m.end();
            String lower = surface.toLowerCase(Locale.ROOT);
            if (m.isNumber()) {
                out.add(new ContentToken(m.start(), m.end(), surface, normalizeNumber(surface), ContentToken.Kind.NUMBER));
            } else if (NUMBER_WORDS.containsKey(lower)) {
                out.add(new ContentToken(m.start(), m.end(), surface, NUMBER_WORDS.get(lower), ContentToken.Kind.NUMBER));
            } else if (!STOPWORDS.contains(lower) && surface.length() >= 3) {
                boolean capital = Character.isUpperCase(surface.charAt(0));
                ContentToken.Kind kind = capital && !sentenceStart ? ContentToken.Kind.NAME : ContentToken.Kind.WORD;
                out.add(new ContentToken(m.start(), m.end(), surface, stem(lower), kind));
            }
            sentenceStart = false;
        }
        return out;
    }

    private static boolean endsSentence(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '.' || c == '!' || c == '?' || c == '\n' || c == ':') {
                return true;
            }
        }
        return false;
    }

    /** Every normalised form in a context: words (camelCase split, stemmed) and numbers. */
    public static Set<String> vocabulary(String text) {
        Set<String> vocab = new HashSet<>();
        Tokens m = new Tokens(text, true);
        while (m.find()) {
            String surface = m.group();
            String lower = surface.toLowerCase(Locale.ROOT);
            if (m.isNumber()) {
                String n = normalizeNumber(surface);
                vocab.add(n);
                addNumberVariants(n, vocab);
            } else {
                vocab.add(stem(lower));
                if (NUMBER_WORDS.containsKey(lower)) {
                    vocab.add(NUMBER_WORDS.get(lower));
                }
                int apostrophe = lower.indexOf('\'');
                if (apostrophe > 0) {
                    vocab.add(stem(lower.substring(0, apostrophe)));
                }
            }
        }
        // A camelCase word also counts whole: an answer writes "WiFi" as one token.
        Tokens whole = new Tokens(text, false);
        while (whole.find()) {
            String surface = whole.group();
            if (!whole.isNumber() && CAMEL.matcher(surface).find()) {
                vocab.add(stem(surface.toLowerCase(Locale.ROOT)));
            }
        }
        return vocab;
    }

    /** 20 is also 8 (pm), 1,500 is also 1.5 (thousand). Rounding is not licensed: 3.5 stars is not four. */
    private static void addNumberVariants(String n, Set<String> vocab) {
        try {
            double v = Double.parseDouble(n);
            if (v >= 13 && v <= 24 && v == Math.rint(v)) {
                vocab.add(Long.toString((long) v - 12));
            }
            for (double unit : new double[] {1e3, 1e6, 1e9}) {
                if (v >= unit && v < unit * 1000) {
                    vocab.add(trimNumber(Math.round(v / unit * 10) / 10.0));
                    vocab.add(Long.toString(Math.round(v / unit)));
                }
            }
        } catch (NumberFormatException ignored) {
            // not a plain number; the exact form is already in the vocabulary
        }
    }

    static String normalizeNumber(String surface) {
        String s = surface;
        if (GROUPED_NUMBER.matcher(s).matches()) {
            s = s.replace(",", "");
        }
        if (s.indexOf(',') >= 0) {
            return s;
        }
        try {
            return trimNumber(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return s;
        }
    }

    private static String trimNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static final String[] SUFFIXES = {"ing", "ed", "es", "s", "ly"};

    /** A light suffix stripper: enough to match "restaurants" with "restaurant" and "offered" with "offers". */
    public static String stem(String lower) {
        String w = lower;
        if (w.endsWith("'s")) {
            w = w.substring(0, w.length() - 2);
        }
        if (w.length() > 5 && (w.endsWith("ies") || w.endsWith("ied"))) {
            return w.substring(0, w.length() - 3) + "y";
        }
        for (String suffix : SUFFIXES) {
            if (w.endsWith(suffix) && w.length() - suffix.length() >= 4 && !w.endsWith("ss")) {
                return w.substring(0, w.length() - suffix.length());
            }
        }
        return w;
    }
}
