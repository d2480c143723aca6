package io.groundstate.detectors.text;

/**
 * A sentence with one span cut out, as the perturbation detectors embed it: the span removed, every run of two or
 * more whitespace characters ({@code \s{2,}}: space, tab, line breaks, vertical tab, form feed) made one space, the
 * ends stripped. By hand rather than by regex: it runs for every content word of every sentence scored.
 */
public final class SpanRemoval {
    private SpanRemoval() {
    }

    public static String without(String text, int start, int end) {
        StringBuilder joined = new StringBuilder(text.length() - (end - start));
        joined.append(text, 0, start).append(text, end, text.length()); // spaces meeting at the cut form one run
        return collapse(joined).strip();
    }

    private static String collapse(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (isSpace(c) && i + 1 < n && isSpace(s.charAt(i + 1))) {
                int j = i + 2;
                while (j < n && isSpace(s.charAt(j))) {
                    j++;
                }
                out.append(' ');
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The characters of the regex class {@code \s} without UNICODE_CHARACTER_CLASS. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
