package io.groundstate.detectors.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a structured record given as context (JSON, or Python's repr of a dict, as many RAG apps
 * log it) into one "key: value" statement per line, which an encoder can compare with prose.
 * Text that is not such a record comes back unchanged.
 */
public final class StructuredText {
    private static final Pattern CAMEL = Pattern.compile("(?<=\\p{Ll})(?=\\p{Lu})");

    private final String s;
    private int pos;

    private StructuredText(String s) {
        this.s = s;
    }

    /** One leaf of a record: its humanised path, its raw leaf key, and its value. */
    public record Fact(String path, String key, String value) {
    }

    public static String toStatements(String text) {
        String t = text.strip();
        if (!(t.startsWith("{") || t.startsWith("["))) {
            return text;
        }
        StructuredText p = new StructuredText(t);
        List<String> lines = new ArrayList<>();
        try {
            p.value("", "", lines, new ArrayList<>());
            p.skipSpace();
            if (p.pos < t.length()) {
                // A record followed by prose (e.g. reviews): keep the prose as it is.
                lines.add(t.substring(p.pos).strip());
            }
        } catch (IllegalStateException e) {
            return text;
        }
        return String.join("\n", lines);
    }

    /** The leaves of a record (empty for text that is not one). */
    public static List<Fact> facts(String text) {
        String t = text.strip();
        List<Fact> facts = new ArrayList<>();
        if (t.startsWith("{") || t.startsWith("[")) {
            try {
                new StructuredText(t).value("", "", new ArrayList<>(), facts);
            } catch (IllegalStateException e) {
                return List.of();
            }
        }
        return facts;
    }

    private void value(String path, String key, List<String> lines, List<Fact> facts) {
        skipSpace();
        if (pos >= s.length()) {
            throw new IllegalStateException("end of input");
        }
        char c = s.charAt(pos);
        if (c == '{') {
            pos++;
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    return;
                }
                String k = scalar();
                skipSpace();
                expect(':');
                value(join(path, humanize(k)), k, lines, facts);
                skipSpace();
                if (peek() == ',') {
                    pos++;
                }
            }
        } else if (c == '[') {
            pos++;
            while (true) {
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    return;
                }
                value(path, key, lines, facts);
                skipSpace();
                if (peek() == ',') {
                    pos++;
                }
            }
        } else {
            String v = scalar();
            if (v.startsWith("{") && v.endsWith("}") && v.length() > 2) {
                // Yelp records nest dicts as strings: "{'garage': False, ...}".
                lines.add(join(path, toStatements(v).replace("\n", "; ")));
                for (Fact f : facts(v)) {
                    facts.add(new Fact(join(path, f.path()), f.key(), f.value()));
                }
            } else {
                lines.add(path.isEmpty() ? v : path + ": " + v);
                facts.add(new Fact(path, key, v));
            }
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + " " + key;
    }

    private static String humanize(String key) {
        return CAMEL.matcher(key.replace('_', ' ')).replaceAll(" ");
    }

    private String scalar() {
        skipSpace();
        char c = peek();
        if (c == '"' || c == '\'') {
            pos++;
            StringBuilder b = new StringBuilder();
            while (pos < s.length() && s.charAt(pos) != c) {
                if (s.charAt(pos) == '\\' && pos + 1 < s.length()) {
                    pos++;
                }
                b.append(s.charAt(pos++));
            }
            if (pos >= s.length()) {
                throw new IllegalStateException("unterminated string");
            }
            pos++;
            return b.toString();
        }
        int start = pos;
        while (pos < s.length() && ",:}]".indexOf(s.charAt(pos)) < 0) {
            pos++;
        }
        if (pos == start) {
            throw new IllegalStateException("empty value at " + pos);
        }
        return s.substring(start, pos).strip();
    }

    private char peek() {
        if (pos >= s.length()) {
            throw new IllegalStateException("end of input");
        }
        return s.charAt(pos);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalStateException("expected " + c + " at " + pos);
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }
}
