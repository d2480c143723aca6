package io.groundstate.detectors.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits a growing text into sentences with exact offsets. A boundary is only confirmed once the
 * next non-space character has arrived, so a delta that ends in "3." or "U.S." cannot split a
 * number or an abbreviation that the next delta completes.
 */
public final class SentenceSegmenter {
    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "eg", "ie",
            "inc", "ltd", "co", "corp", "no", "nos", "fig", "figs", "approx", "est", "dept", "gen", "gov",
            "sen", "rep", "col", "lt", "sgt", "capt", "cmdr", "adm", "ave", "blvd", "rd", "jan", "feb",
            "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "a.m", "p.m", "u.s",
            "u.k", "u.n", "ph.d", "al", "cf", "vol", "pp", "ch", "ed", "min", "max");

    private final int maxSentenceChars;
    private final StringBuilder text = new StringBuilder();
    private int committed;
    private int nextIndex;

    public SentenceSegmenter() {
        this(800);
    }

    /** Sentences longer than maxSentenceChars are cut at a word boundary so that scoring never waits forever. */
    public SentenceSegmenter(int maxSentenceChars) {
        this.maxSentenceChars = maxSentenceChars;
    }

    /** Restores a segmenter over {@code text} whose first {@code committed} characters were already emitted. */
    public static SentenceSegmenter resume(String text, int committed, int nextIndex, int maxSentenceChars) {
        SentenceSegmenter s = new SentenceSegmenter(maxSentenceChars);
        s.text.append(text);
        s.committed = committed;
        s.nextIndex = nextIndex;
        return s;
    }

    public static List<Sentence> split(String text) {
        SentenceSegmenter s = new SentenceSegmenter();
        List<Sentence> out = new ArrayList<>(s.append(text));
        out.addAll(s.flush());
        return out;
    }

    /** Appends a delta and returns the sentences it completed. */
    public List<Sentence> append(String delta) {
        text.append(delta);
        return scan(false);
    }

    /** The end of the stream: whatever is left is the last sentence. */
    public List<Sentence> flush() {
        return scan(true);
    }

    public String text() {
        return text.toString();
    }

    public int committed() {
        return committed;
    }

    public int nextIndex() {
        return nextIndex;
    }

    private List<Sentence> scan(boolean atEnd) {
        List<Sentence> out = new ArrayList<>();
        int i = committed;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            int boundary = -1;
            if (c == '\n') {
                boundary = i;
            } else if (c == '.' || c == '!' || c == '?' || c == '…') {
                int end = i + 1;
                while (end < n && isCloser(text.charAt(end))) {
                    end++;
                }
                int next = end;
                while (next < n && text.charAt(next) != '\n' && Character.isWhitespace(text.charAt(next))) {
                    next++;
                }
                if (next == end && end < n) {
                    i++;
                    continue; // "3.5", "e.g.", "a.m." - no space, not a boundary
                }
                if (next >= n) {
                    if (!atEnd) {
                        break; // wait for the next delta to decide
                    }
                    boundary = end - 1;
                } else if (isBoundary(i, c, next)) {
                    boundary = end - 1;
                }
            } else if (i - committed >= maxSentenceChars) {
                boundary = lastSpace(committed, i); // no terminator in sight: cut at the last word boundary
            }
            if (boundary >= 0) {
                emit(committed, boundary + 1, out);
                committed = boundary + 1;
            }
            i = Math.max(i + 1, committed);
        }
        if (atEnd) {
            emit(committed, n, out);
            committed = n;
        }
        return out;
    }

    private int lastSpace(int from, int to) {
        for (int k = to; k > from; k--) {
            if (Character.isWhitespace(text.charAt(k))) {
                return k;
            }
        }
        return to;
    }

    private boolean isBoundary(int dot, char terminator, int next) {
        char following = text.charAt(next);
        if (following == '\n') {
            return true;
        }
        if (terminator != '.') {
            return !Character.isLowerCase(following);
        }
        if (Character.isLowerCase(following)) {
            return false;
        }
        String word = wordBefore(dot);
        if (word.isEmpty()) {
            return true;
        }
        String lower = word.toLowerCase(Locale.ROOT);
        if (ABBREVIATIONS.contains(lower) || isListMarker(dot, word)) {
            return false;
        }
        // A lone initial ("J. Smith") is not a sentence end.
        return !(word.length() == 1 && Character.isUpperCase(word.charAt(0)));
    }

    /** "6." alone at the start of a line numbers the item that follows; it does not end a sentence. */
    private boolean isListMarker(int dot, String word) {
        if (word.length() > 3 || !word.chars().allMatch(Character::isDigit)) {
            return false;
        }
        for (int k = dot - word.length() - 1; k >= 0; k--) {
            char c = text.charAt(k);
            if (c == '\n') {
                return true;
            }
            if (!Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    private String wordBefore(int dot) {
        int j = dot;
        while (j > committed && !Character.isWhitespace(text.charAt(j - 1)) && text.charAt(j - 1) != '(') {
            j--;
        }
        return text.substring(j, dot);
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '”' || c == '’' || c == '»';
    }

    private void emit(int from, int to, List<Sentence> out) {
        int s = from;
        int e = to;
        while (s < e && Character.isWhitespace(text.charAt(s))) {
            s++;
        }
        while (e > s && Character.isWhitespace(text.charAt(e - 1))) {
            e--;
        }
        if (e > s && hasLetterOrDigit(s, e)) {
            out.add(new Sentence(nextIndex++, s, e, text.substring(s, e)));
        }
    }

    private boolean hasLetterOrDigit(int s, int e) {
        for (int k = s; k < e; k++) {
            if (Character.isLetterOrDigit(text.charAt(k))) {
                return true;
            }
        }
        return false;
    }
}
