package io.groundstate.detectors.text;

import java.util.regex.Pattern;

/**
 * A sentence addressed to the user rather than about the context: "Sure!", "Here is a summary of the article in 66
 * words:", "Based on the provided passages, here are the steps:". It states nothing the context could support, so
 * it is never flagged, and the number of words it promises is not an unsupported number.
 */
public final class Preamble {
    private static final Pattern INTERJECTION = Pattern.compile(
            "(?i)\\s*(sure|certainly|of course|okay|ok|absolutely|gladly|great|no problem)[!.]*\\s*");
    /** A lead-in to what follows: it ends with a colon and announces it. */
    private static final Pattern LEAD_IN = Pattern.compile(
            "(?is).*\\b(here is|here are|here's|below is|below are|the following|as follows)\\b.*:\\s*");

    private Preamble() {
    }

    public static boolean is(String sentence) {
        return INTERJECTION.matcher(sentence).matches() || LEAD_IN.matcher(sentence).matches();
    }
}
