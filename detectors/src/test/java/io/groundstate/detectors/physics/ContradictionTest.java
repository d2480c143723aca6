package io.groundstate.detectors.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import io.groundstate.detectors.text.StructuredText;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContradictionTest {
    static Contradiction.Result check(String context, String sentence) {
        List<ContentToken> tokens = Lexicon.contentTokens(sentence);
        RealityBasis.Result reality = RealityBasis.check(tokens, Lexicon.vocabulary(context));
        return Contradiction.of(List.of(context), List.of()).check(sentence, tokens, reality.unsupported());
    }

    static List<String> substituted(String context, String sentence) {
        return check(context, sentence).substituted().stream().map(ContentToken::surface).toList();
    }

    @Test
    void aNumberNameOrUnitStandingWhereTheContextHasAnotherIsASubstitution() {
        String eiffel = "The Eiffel Tower was completed in 1889 by Gustave Eiffel's company. It is 330 metres tall.";
        assertEquals(List.of("1925"), substituted(eiffel, "The Eiffel Tower was completed in 1925 by Gustave Eiffel."));
        assertEquals(List.of("feet"), substituted(eiffel, "It is 330 feet tall."));
        String acme = "Acme Corp was founded in 1999 by Jane Smith in Denver. It employs 200 people.";
        assertEquals(List.of("John"), substituted(acme, "Acme Corp was founded in 1999 by John Smith in Denver."));
        assertEquals(List.of("2,000"), substituted(acme, "It employs 2,000 people."));
        // The faithful twins.
        assertEquals(List.of(), substituted(eiffel, "The Eiffel Tower was completed in 1889 by Gustave Eiffel."));
        assertEquals(List.of(), substituted(acme, "It employs 200 people."));
    }

    @Test
    void anAbsentValueWithNoCounterpartInItsSlotIsNotOne() {
        String acme = "Acme Corp was founded in 1999 by Jane Smith in Denver. It employs 200 people.";
        // Unsupported, but nothing in the context stands where it does: evidence for the combiner, not a contradiction.
        assertEquals(List.of(), substituted(acme, "Its revenue grew 40% last year."));
        // A name needs both neighbours to match: after "Barbara" the context goes on with another name.
        assertEquals(List.of(), substituted("It is near Santa Barbara Farmers Market.", "It is in Santa Barbara, California."));
        // An abbreviation is the same thing written shorter.
        assertEquals(List.of(), substituted("The city is Santa Barbara, CA 93101.", "The city is Santa Barbara, California 93101."));
        // A list's numbering is not a claim.
        assertEquals(List.of(), substituted("Step 2 is to preheat the oven.", "3. Preheat the oven."));
    }

    @Test
    void aNumberNextToARecordKeyThatHoldsAnotherValueContradictsTheRecord() {
        String record = "{'name': 'Casa Verde', 'stars': 4.0, 'review_count': 87}";
        Contradiction c = Contradiction.of(List.of(StructuredText.toStatements(record)), StructuredText.facts(record));
        java.util.function.Function<String, List<String>> check = sentence -> {
            List<ContentToken> tokens = Lexicon.contentTokens(sentence);
            RealityBasis.Result reality = RealityBasis.check(tokens, Lexicon.vocabulary(StructuredText.toStatements(record)));
            return c.check(sentence, tokens, reality.unsupported()).substituted().stream().map(ContentToken::surface).toList();
        };
        assertEquals(List.of("187"), check.apply("Casa Verde has 4 stars from 187 reviews."));
        assertEquals(List.of("3.5"), check.apply("It is rated 3.5 stars."));
        assertEquals(List.of(), check.apply("Casa Verde has 4 stars from 87 reviews."));
        // Counting reviewers in words, or a rating's scale, is not a claim about the record's values.
        assertEquals(List.of(), check.apply("One reviewer loved it, and a third reviewer did not."));
        assertEquals(List.of(), check.apply("It has 4 out of 5 stars."));
    }

    @Test
    void aNegationTheContextDoesNotShareFlipsTheClaim() {
        String titanic = "The Titanic sank in 1912. It did not carry enough lifeboats for everyone on board.";
        assertTrue(check(titanic, "The Titanic carried enough lifeboats for everyone on board.").negationFlipped());
        assertFalse(check(titanic, "The Titanic did not carry enough lifeboats for everyone on board.").negationFlipped());
        String account = "Withdrawals are limited to three a year; a fourth withdrawal closes the account.";
        assertTrue(check(account, "A fourth withdrawal does not close the account.").negationFlipped());
        assertFalse(check(account, "A fourth withdrawal closes the account.").negationFlipped());
        // A sentence with more than one word the context lacks is not a flip of a supported claim.
        assertFalse(check(titanic, "The Titanic never hit any rocks near Newfoundland.").negationFlipped());
    }

    @Test
    void aClauseOfUnsupportedWordsAddedToASupportedSentenceIsMarked() {
        String context = "Type 1 diabetes is treated with insulin, given by injection or by a pump.";
        List<String> clause = check(context, "Type 1 diabetes is treated with insulin, and cured by a vegan diet.")
                .unsupportedClause().stream().map(ContentToken::surface).toList();
        assertEquals(List.of("cured", "vegan", "diet"), clause);
        assertEquals(List.of(), check(context, "Type 1 diabetes is treated with insulin, by injection.").unsupportedClause());
        // Nothing supported at all: not an addition to a grounded sentence.
        assertEquals(List.of(), check(context, "Volcanic ash grounded flights.").unsupportedClause());
    }
}
