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
import java.util.regex.Pattern;

/**
 * The reality basis of a structured record: a yes/no attribute ("OutdoorSeating": False) that the
 * answer states with the opposite polarity ("offers outdoor seating"). Word-presence checks cannot
 * see this, since every word is in the context.
 */
public final class RecordPolarity {
    private static final Pattern CAMEL = Pattern.compile("(?<=\\p{Ll})(?=\\p{Lu})");
    private static final Set<String> NEGATIVE = Set.of("false", "no", "none", "null", "0", "n");
    private static final Set<String> POSITIVE = Set.of("true", "yes", "free", "paid", "1", "y");
    private static final Set<String> NEGATION = Set.of("no", "not", "without", "lack", "lacks", "lacking", "never",
            "neither", "nor", "isn't", "doesn't", "don't", "aren't", "cannot", "unavailable", "none");
    private static final int NEGATION_WINDOW = 5;
    private static final Set<String> CLAUSE_WORDS = Set.of("but", "and", "or", "while", "whereas", "although");

    /** One attribute: the stems that name it, and whether the record says yes. */
    public record Attribute(List<String> stems, String joined, boolean positive) {
    }

    private final List<Attribute> attributes;

    private RecordPolarity(List<Attribute> attributes) {
        this.attributes = attributes;
    }

    public static RecordPolarity of(List<String> contextTexts) {
        List<StructuredText.Fact> facts = new ArrayList<>();
        for (String t : contextTexts) {
            facts.addAll(StructuredText.facts(t));
        }
        return ofFacts(facts);
    }

    /** From the records' leaves, parsed once for every check of the context ({@code StructuredText.facts}). */
    public static RecordPolarity ofFacts(List<StructuredText.Fact> facts) {
        // A word shared by many keys (e.g. "restaurants" in RestaurantsTakeOut, RestaurantsDelivery...)
        // does not identify an attribute.
        Map<String, Set<String>> keysOfWord = new HashMap<>();
        for (StructuredText.Fact f : facts) {
            for (String w : words(f.key())) {
                keysOfWord.computeIfAbsent(w, k -> new HashSet<>()).add(f.key());
            }
        }
        List<Attribute> out = new ArrayList<>();
        for (StructuredText.Fact f : facts) {
            String v = f.value().toLowerCase(Locale.ROOT).replace("'", "").replace("u'", "").strip();
            boolean neg = NEGATIVE.contains(v);
            boolean pos = POSITIVE.contains(v);
            if (!neg && !pos) {
                continue;
            }
            List<String> stems = new ArrayList<>();
            for (String w : words(f.key())) {
                if (keysOfWord.get(w).size() < 3 && !Lexicon.isStopword(w) && w.length() >= 3) {
                    stems.add(Lexicon.stem(w));
                }
            }
            String joined = f.key().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}]", "");
            if (!stems.isEmpty() || joined.length() >= 4) {
                out.add(new Attribute(stems, joined, pos));
            }
        }
        return new RecordPolarity(out);
    }

    /** A key's words, lower case: "RestaurantsTakeOut" and "review_count" split at capitals and separators. */
    static List<String> words(String key) {
        List<String> out = new ArrayList<>();
        for (String w : CAMEL.matcher(key.replace('_', ' ')).replaceAll(" ").toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    public boolean isEmpty() {
        return attributes.isEmpty();
    }

    /**
     * Content tokens of a sentence that name an attribute with the opposite polarity to the record's.
     *
     * @param sentence the sentence text; tokens' offsets are relative to it
     */
    public List<ContentToken> conflicts(String sentence, List<ContentToken> tokens) {
        List<ContentToken> out = new ArrayList<>();
        if (attributes.isEmpty()) {
            return out;
        }
        for (Attribute a : attributes) {
            List<ContentToken> named = new ArrayList<>();
            for (ContentToken t : tokens) {
                String lower = t.surface().toLowerCase(Locale.ROOT).replace("-", "");
                if (a.stems().contains(t.norm()) || lower.equals(a.joined())) {
                    named.add(t);
                }
            }
            boolean mentioned = !named.isEmpty() && (a.stems().isEmpty()
                    || named.stream().map(ContentToken::norm).distinct().count() >= Math.min(2, a.stems().size())
                    || named.stream().anyMatch(t -> t.surface().toLowerCase(Locale.ROOT).equals(a.joined())));
            if (!mentioned) {
                continue;
            }
            boolean negated = negatedBefore(sentence, named.get(0).start())
                    || negatedAfter(sentence, named.get(named.size() - 1).end());
            if (negated == a.positive()) {
                out.addAll(named);
            }
        }
        return out;
    }

    /** "dogs are not allowed", "WiFi is not available": the negation follows the attribute's words. */
    private static boolean negatedAfter(String sentence, int offset) {
        // Within the same clause: "on the street but not in a garage" does not deny the street.
        String rest = sentence.substring(offset).toLowerCase(Locale.ROOT).split("[,;.:!?]", 2)[0];
        String[] ws = rest.split("[^\\p{L}']+");
        for (int i = 0; i < Math.min(ws.length, 4); i++) {
            if (CLAUSE_WORDS.contains(ws[i])) {
                return false;
            }
            if (NEGATION.contains(ws[i]) || ws[i].endsWith("n't")) {
                return true;
            }
        }
        return false;
    }

    private static boolean negatedBefore(String sentence, int offset) {
        String before = sentence.substring(0, offset).toLowerCase(Locale.ROOT);
        String[] ws = before.split("[^\\p{L}']+");
        for (int i = Math.max(0, ws.length - NEGATION_WINDOW); i < ws.length; i++) {
            if (NEGATION.contains(ws[i]) || ws[i].endsWith("n't")) {
                return true;
            }
        }
        return false;
    }
}
