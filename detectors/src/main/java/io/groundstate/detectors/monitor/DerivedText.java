package io.groundstate.detectors.monitor;

import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.text.StructuredText;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the monitor derives from one context text (a chunk's, or the prompt): its statements, basis texts, content
 * words and vocabulary, each derived the first time it is needed. A chunk's text never changes, and every chunk that
 * arrives used to re-derive all of these for every earlier chunk. Not stored: a restored state derives it again.
 */
final class DerivedText {
    /** The text it was derived from, compared by identity: a new text gets a new instance. */
    final String source;
    private String statements;
    /** Basis texts, and the window width they were cut with (the monitor cuts them; it knows the width). */
    List<String> basisTexts;
    int basisWindowWords;
    private List<String> words;
    private Set<String> vocabulary;

    private DerivedText(String source) {
        this.source = source;
    }

    /** A chunk's text: records in it are flattened into statements. */
    static DerivedText of(DerivedText existing, String source) {
        return existing != null && existing.source == source ? existing : new DerivedText(source);
    }

    /** A question: taken as it is, never flattened as a record. */
    static DerivedText ofQuestion(DerivedText existing, String source) {
        DerivedText d = of(existing, source);
        d.statements = source;
        return d;
    }

    /** The text with records flattened into statements ({@code StructuredText.toStatements}). */
    String statements() {
        if (statements == null) {
            statements = StructuredText.toStatements(source);
        }
        return statements;
    }

    /** Distinct lower-case content words of the statements other than numbers, in order of first occurrence. */
    List<String> words() {
        if (words == null) {
            Set<String> distinct = new LinkedHashSet<>();
            for (ContentToken t : Lexicon.contentTokens(statements())) {
                if (t.kind() != ContentToken.Kind.NUMBER) {
                    distinct.add(t.surface().toLowerCase(Locale.ROOT));
                }
            }
            words = List.copyOf(distinct);
        }
        return words;
    }

    /** {@link Lexicon#vocabulary} of the source text, in its iteration order. */
    Set<String> vocabulary() {
        if (vocabulary == null) {
            vocabulary = Collections.unmodifiableSet(Lexicon.vocabulary(source));
        }
        return vocabulary;
    }
}
