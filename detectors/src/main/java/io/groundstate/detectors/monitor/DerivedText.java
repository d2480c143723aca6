package io.groundstate.detectors.monitor;

import java.util.List;
import java.util.Set;

/**
 * What the monitor derives from one context text (a chunk's, or the prompt): its statements, basis texts, content
 * words and vocabulary, each derived the first time it is needed. A chunk's text never changes, and every chunk that
 * arrives used to re-derive all of these for every earlier chunk. Not stored: a restored state derives it again.
 */
final class DerivedText {
    /** The text it was derived from, compared by identity: a new text gets a new instance. */
    final String source;
    /** The text with records flattened into statements ({@code StructuredText.toStatements}); a prompt's as it is. */
    String statements;
    /** Basis texts, and the window width they were cut with. */
    List<String> basisTexts;
    int basisWindowWords;
    /** Distinct lower-case content words of the statements other than numbers, in order of first occurrence. */
    List<String> words;
    Set<String> vocabulary;

    private DerivedText(String source) {
        this.source = source;
    }

    static DerivedText of(DerivedText existing, String source) {
        return existing != null && existing.source == source ? existing : new DerivedText(source);
    }
}
