package io.groundstate.detectors.physics;

import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.text.StructuredText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The three one-edit signatures of an unsupported claim, each evidence on its own whatever the task:
 * <ul>
 * <li>a <b>substitution</b>: a number, name or unit the context does not contain, standing where the context has
 * another of the same kind between the same neighbours ("completed in 1925 by" against "completed in 1889 by");</li>
 * <li>a <b>negation flip</b>: a sentence whose content the context states in one sentence, with the opposite
 * polarity (one says not, never or no, the other does not);</li>
 * <li>an <b>unsupported clause</b>: a clause of two or more content words, none of them in the context, added to a
 * sentence that is otherwise about the context.</li>
 * </ul>
 * Lexical and order-aware, so it sees what a mean-pooled sentence vector cannot: one changed token barely moves it.
 */
public final class Contradiction {
    /** How far (in content tokens) a neighbour may sit from the replaced token in the context. */
    private static final int ANCHOR_WINDOW = 3;
    /** Share of a sentence's content tokens that one context sentence must hold for a polarity to be compared. */
    private static final double STATEMENT_OVERLAP = 0.75;
    private static final Set<String> NEGATION = Set.of("no", "not", "never", "none", "nor", "neither", "nobody",
            "nothing", "nowhere", "without", "cannot");
    private static final Set<String> UNITS = Set.of("mile", "kilometer", "kilometre", "km", "meter", "metre", "feet",
            "foot", "inch", "centimeter", "cm", "mm", "pound", "lb", "kilogram", "kg", "gram", "ton", "tonne", "ounce",
            "liter", "litre", "gallon", "dollar", "euro", "yen", "cent", "percent", "second", "minute", "hour", "day",
            "week", "month", "year", "decade", "century", "celsius", "fahrenheit", "degree", "acre", "hectare",
            "mph", "kph", "calorie", "watt", "volt", "byte", "megabyte", "gigabyte");
    private static final Pattern WORD = Pattern.compile("\\p{L}+(?:'\\p{L}+)?");
    private static final Pattern CLAUSE_BREAK = Pattern.compile(
            "[,;:()\\u2013\\u2014]|\\s(?:and|but|which|while|who|whereas|although|because|including)\\s",
            Pattern.CASE_INSENSITIVE);

    /** What a sentence shows. Tokens' offsets are the sentence's. */
    public record Result(List<ContentToken> substituted, boolean negationFlipped, List<ContentToken> unsupportedClause) {
        public static final Result NONE = new Result(List.of(), false, List.of());
    }

    /** A context sentence: its content tokens, and the words its negations apply to. */
    private record Statement(List<ContentToken> tokens, Set<String> negatedWords) {
    }

    /** A record's numeric attribute: the stems of its key's words, and its value. */
    private record NumericFact(List<String> keyWords, double value) {
    }

    private final List<Statement> statements;
    private final List<NumericFact> numericFacts;
    /** Where each normalised token occurs: statement index and token index. */
    private final Map<String, List<int[]>> positions = new HashMap<>();

    private Contradiction(List<Statement> statements, List<NumericFact> numericFacts) {
        this.statements = statements;
        this.numericFacts = numericFacts;
        for (int s = 0; s < statements.size(); s++) {
            List<ContentToken> ts = statements.get(s).tokens;
            for (int j = 0; j < ts.size(); j++) {
                positions.computeIfAbsent(ts.get(j).norm(), k -> new ArrayList<>()).add(new int[] {s, j});
            }
        }
    }

    /**
     * @param contextTexts the context's texts, records already flattened into statements
     * @param facts        the leaves of the records among them, whose numbers are compared by key
     */
    public static Contradiction of(List<String> contextTexts, List<StructuredText.Fact> facts) {
        List<Statement> out = new ArrayList<>();
        for (String text : contextTexts) {
            int from = 0;
            for (int i = 0; i <= text.length(); i++) {
                if (i == text.length() || endsStatement(text, i)) {
                    if (i > from) {
                        String part = text.substring(from, i);
                        List<ContentToken> tokens = Lexicon.contentTokens(part);
                        if (!tokens.isEmpty()) {
                            out.add(new Statement(tokens, negatedWords(part, tokens)));
                        }
                    }
                    from = i + 1;
                }
            }
        }
        List<NumericFact> numeric = new ArrayList<>();
        for (StructuredText.Fact f : facts) {
            Double v = number(f.value());
            if (v == null) {
                continue;
            }
            List<String> words = new ArrayList<>();
            for (String w : RecordPolarity.words(f.key())) {
                if (w.length() >= 3 && !Lexicon.isStopword(w)) {
                    words.add(Lexicon.stem(w));
                }
            }
            if (!words.isEmpty()) {
                numeric.add(new NumericFact(words, v));
            }
        }
        return new Contradiction(out, numeric);
    }

    private static Double number(String s) {
        try {
            return Double.parseDouble(s.strip().replace(",", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean endsStatement(String text, int i) {
        char c = text.charAt(i);
        if (c == '\n' || c == '!' || c == '?' || c == ';') {
            return true;
        }
        // A full stop ends a sentence, not a decimal point ("4.5") or an abbreviation's dot before a lower-case word.
        return c == '.' && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)));
    }

    /** The first content word after each negation (within three words): what the negation denies. */
    private static Set<String> negatedWords(String text, List<ContentToken> tokens) {
        Set<String> out = new HashSet<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String w = m.group().toLowerCase(Locale.ROOT);
            if (NEGATION.contains(w) || w.endsWith("n't")) {
                for (ContentToken t : tokens) {
                    if (t.start() >= m.end() && t.kind() != ContentToken.Kind.NUMBER) {
                        if (t.start() - m.end() <= 24) {
                            out.add(t.norm());
                        }
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * @param sentence    the sentence's text
     * @param tokens      its content tokens
     * @param unsupported those the context does not support (by {@link RealityBasis})
     */
    public Result check(String sentence, List<ContentToken> tokens, List<ContentToken> unsupported) {
        if (statements.isEmpty() || tokens.isEmpty()) {
            return Result.NONE;
        }
        Set<Integer> unsupportedAt = new HashSet<>();
        unsupported.forEach(t -> unsupportedAt.add(t.start()));
        Set<String> sentenceNorms = new HashSet<>();
        tokens.forEach(t -> sentenceNorms.add(t.norm()));
        List<ContentToken> substituted = new ArrayList<>();
        for (int k = 0; k < tokens.size(); k++) {
            ContentToken t = tokens.get(k);
            if (unsupportedAt.contains(t.start()) && slotted(t) && !listMarker(sentence, t)
                    && (substitutes(tokens, k, unsupportedAt, sentenceNorms) || contradictsRecord(tokens, k))) {
                substituted.add(t);
            }
        }
        return new Result(substituted, negationFlipped(sentence, tokens, unsupportedAt),
                unsupportedClause(sentence, tokens, unsupportedAt));
    }

    /**
     * A number the record gives otherwise: next to a word of a numeric attribute's key (within two tokens either
     * side: "4.5 stars", "rated 3.5 stars", "187 reviews" against review_count 87), the attribute holds another value.
     */
    private boolean contradictsRecord(List<ContentToken> tokens, int k) {
        ContentToken t = tokens.get(k);
        // Digits only: "one reviewer" and "a third reviewer" count people, not the record's review count.
        Double value = t.kind() == ContentToken.Kind.NUMBER && Character.isDigit(t.surface().charAt(0))
                ? number(t.norm()) : null;
        if (value == null || numericFacts.isEmpty()) {
            return false;
        }
        for (int i = Math.max(0, k - 2); i <= Math.min(tokens.size() - 1, k + 2); i++) {
            ContentToken near = tokens.get(i);
            if (i == k || near.kind() == ContentToken.Kind.NUMBER) {
                continue;
            }
            for (NumericFact f : numericFacts) {
                if (f.value != value && f.keyWords.stream().anyMatch(w -> sameWord(w, near.norm()))
                        && !nearValue(tokens, k, f.value)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The record's own value close by ("3.5 out of 5 stars"): the other number is a scale, not the claim. */
    private static boolean nearValue(List<ContentToken> tokens, int k, double value) {
        for (int i = Math.max(0, k - 3); i <= Math.min(tokens.size() - 1, k + 3); i++) {
            Double v = i == k || tokens.get(i).kind() != ContentToken.Kind.NUMBER ? null : number(tokens.get(i).norm());
            if (v != null && v == value) {
                return true;
            }
        }
        return false;
    }

    /** "6." or "2)" opening a sentence numbers a list; it is not a claim. */
    private static boolean listMarker(String sentence, ContentToken t) {
        return t.kind() == ContentToken.Kind.NUMBER && sentence.substring(0, t.start()).isBlank()
                && t.end() < sentence.length() && (sentence.charAt(t.end()) == '.' || sentence.charAt(t.end()) == ')');
    }

    /** Numbers, names and units are what a one-token edit swaps; a swapped common word is as often a paraphrase. */
    private static boolean slotted(ContentToken t) {
        return t.kind() != ContentToken.Kind.WORD || unit(t);
    }

    /** By its surface: the light stemmer cuts "metres" to "metr". */
    private static boolean unit(ContentToken t) {
        String w = t.surface().toLowerCase(Locale.ROOT);
        return UNITS.contains(w) || w.endsWith("s") && UNITS.contains(w.substring(0, w.length() - 1))
                || UNITS.contains(t.norm());
    }

    private static boolean sameKind(ContentToken sentenceToken, ContentToken contextToken) {
        return switch (sentenceToken.kind()) {
            case NUMBER -> contextToken.kind() == ContentToken.Kind.NUMBER;
            // A name mid-sentence: a capital at a statement's start (a record's value, a heading) is not one.
            case NAME -> contextToken.kind() == ContentToken.Kind.NAME;
            case WORD -> unit(contextToken);
        };
    }

    /**
     * Whether the context has another token of the same kind where this one stands: after the same left neighbour
     * or before the same right one (the sentence's nearest supported word on that side, within two tokens), within
     * {@link #ANCHOR_WINDOW} tokens; a name between both.
     */
    private boolean substitutes(List<ContentToken> tokens, int k, Set<Integer> unsupportedAt, Set<String> sentenceNorms) {
        ContentToken t = tokens.get(k);
        boolean unit = t.kind() == ContentToken.Kind.WORD;
        String left = anchor(tokens, k, -1, unsupportedAt, unit);
        String right = anchor(tokens, k, +1, unsupportedAt, false);
        if (t.kind() == ContentToken.Kind.NAME) {
            // A name needs both neighbours: after one alone, a context name is as often the next word of a longer
            // name ("Santa Barbara" + "Farmers Market") as a replaced one.
            return left != null && right != null && slotAfter(left, t, sentenceNorms, right);
        }
        if (left != null && slotAfter(left, t, sentenceNorms, null)) {
            return true;
        }
        return right != null && slotBefore(right, t, sentenceNorms);
    }

    /** A token of t's kind within the window after {@code left}, followed within the window by {@code right} if given. */
    private boolean slotAfter(String left, ContentToken t, Set<String> sentenceNorms, String right) {
        for (int[] at : positions.getOrDefault(left, List.of())) {
            List<ContentToken> ts = statements.get(at[0]).tokens;
            for (int j = at[1] + 1; j < ts.size() && j <= at[1] + ANCHOR_WINDOW; j++) {
                if (replaces(t, ts.get(j), sentenceNorms) && (right == null || near(ts, j, right))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean near(List<ContentToken> ts, int j, String right) {
        for (int i = j + 1; i < ts.size() && i <= j + ANCHOR_WINDOW; i++) {
            if (ts.get(i).norm().equals(right)) {
                return true;
            }
        }
        return false;
    }

    private boolean slotBefore(String right, ContentToken t, Set<String> sentenceNorms) {
        for (int[] at : positions.getOrDefault(right, List.of())) {
            List<ContentToken> ts = statements.get(at[0]).tokens;
            for (int j = Math.max(0, at[1] - ANCHOR_WINDOW); j < at[1]; j++) {
                if (replaces(t, ts.get(j), sentenceNorms)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The context's token could be what the sentence's one replaced: same kind, not also in the sentence. */
    private static boolean replaces(ContentToken t, ContentToken c, Set<String> sentenceNorms) {
        return sameKind(t, c) && !sentenceNorms.contains(c.norm()) && !abbreviates(t, c);
    }

    /**
     * The nearest supported word or name within two tokens: numbers are too common in records to anchor a slot,
     * except the number a unit follows ("330 feet").
     */
    private static String anchor(List<ContentToken> tokens, int k, int step, Set<Integer> unsupportedAt,
                                 boolean numbers) {
        for (int i = k + step, n = 0; i >= 0 && i < tokens.size() && n < 2; i += step, n++) {
            ContentToken t = tokens.get(i);
            if (!unsupportedAt.contains(t.start()) && (numbers || t.kind() != ContentToken.Kind.NUMBER)) {
                return t.norm();
            }
        }
        return null;
    }

    /** "CA" for "California", "Apr" for "April", "LGBT" for "LGBTQ": the same thing written shorter. */
    private static boolean abbreviates(ContentToken a, ContentToken b) {
        if (a.kind() == ContentToken.Kind.NUMBER) {
            return false;
        }
        String x = a.surface().toLowerCase(Locale.ROOT);
        String y = b.surface().toLowerCase(Locale.ROOT);
        String shorter = x.length() <= y.length() ? x : y;
        String longer = x.length() <= y.length() ? y : x;
        if (longer.startsWith(shorter)) {
            return true;
        }
        String caps = (x.length() <= y.length() ? a : b).surface();
        return caps.length() <= 4 && caps.equals(caps.toUpperCase(Locale.ROOT));
    }

    /**
     * A context sentence holding most of this one's content words denies a word that this one asserts, or asserts
     * one that this one denies, and no other such context sentence agrees with this one.
     */
    private boolean negationFlipped(String sentence, List<ContentToken> tokens, Set<Integer> unsupportedAt) {
        // Only a claim the context otherwise supports can be flipped: one unsupported word at most.
        if (tokens.size() < 2 || unsupportedAt.size() > 1) {
            return false;
        }
        Map<Integer, Integer> shared = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ContentToken t : tokens) {
            if (unsupportedAt.contains(t.start()) || !seen.add(t.norm())) {
                continue;
            }
            Set<Integer> in = new HashSet<>();
            for (int[] at : positions.getOrDefault(t.norm(), List.of())) {
                if (in.add(at[0])) {
                    shared.merge(at[0], 1, Integer::sum);
                }
            }
        }
        int distinct = (int) tokens.stream().map(ContentToken::norm).distinct().count();
        Set<String> denied = negatedWords(sentence, tokens);
        boolean opposed = false;
        for (Map.Entry<Integer, Integer> e : shared.entrySet()) {
            Statement st = statements.get(e.getKey());
            // A long context sentence shares words with many answers, and its negation may be about anything.
            if (e.getValue() < STATEMENT_OVERLAP * distinct || st.tokens.size() > 2 * distinct + 2) {
                continue;
            }
            boolean differs = false;
            for (ContentToken t : tokens) {
                boolean deniedHere = denied.contains(t.norm());
                boolean deniedThere = st.negatedWords.stream().anyMatch(w -> sameWord(w, t.norm()));
                if (deniedHere != deniedThere && (deniedHere || deniedThere)
                        && st.tokens.stream().anyMatch(c -> sameWord(c.norm(), t.norm()))) {
                    differs = true;
                }
            }
            if (!differs) {
                return false; // a context sentence says it as the answer does
            }
            opposed = true;
        }
        return opposed;
    }

    /** One word in two forms the light stemmer leaves apart ("close" and "clos", from "closes"). */
    private static boolean sameWord(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        String shorter = a.length() <= b.length() ? a : b;
        String longer = a.length() <= b.length() ? b : a;
        return shorter.length() >= 4 && longer.length() - shorter.length() <= 2 && longer.startsWith(shorter);
    }

    /** The content tokens of the first clause that has two or more, none supported, in a sentence partly supported. */
    private static List<ContentToken> unsupportedClause(String sentence, List<ContentToken> tokens,
                                                        Set<Integer> unsupportedAt) {
        if (unsupportedAt.size() == tokens.size() || unsupportedAt.size() < 2) {
            return List.of();
        }
        Matcher m = CLAUSE_BREAK.matcher(sentence);
        int from = 0;
        while (true) {
            boolean found = m.find();
            int to = found ? m.start() : sentence.length();
            List<ContentToken> clause = new ArrayList<>();
            boolean allUnsupported = true;
            for (ContentToken t : tokens) {
                if (t.start() >= from && t.end() <= to) {
                    clause.add(t);
                    allUnsupported &= unsupportedAt.contains(t.start());
                }
            }
            if (allUnsupported && clause.size() >= 2) {
                return clause;
            }
            if (!found) {
                return List.of();
            }
            from = m.end();
        }
    }
}
