package io.groundstate.detectors.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.groundstate.detectors.calib.Localisation.Granularity;
import io.groundstate.detectors.calib.Localisation.TokenEvidence;
import io.groundstate.detectors.text.Attribution;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalisationTest {
    static final String TEXT = "It opened in 1925, serves live jazz on Fridays, and has parking.";

    static List<TokenEvidence> tokens(String... words) {
        List<TokenEvidence> out = new ArrayList<>();
        for (String w : words) {
            int s = TEXT.indexOf(w);
            out.add(new TokenEvidence(w, s, s + w.length(), new double[TokenFeature.values().length]));
        }
        return out;
    }

    static List<String> texts(List<Attribution> as) {
        return as.stream().map(Attribution::token).toList();
    }

    final List<TokenEvidence> ts = tokens("opened", "1925", "serves", "live", "jazz", "Fridays", "parking");
    final double[] p = {0.1, 0.9, 0.2, 0.8, 0.9, 0.1, 0.1};

    @Test
    void adjacentFlaggedTokensFormOneRun() {
        assertEquals(List.of("1925", "live jazz"), texts(Localisation.spans(TEXT, ts, p, 0.5)));
    }

    @Test
    void recordAndProseTokensHaveTheirOwnThresholds() {
        List<TokenEvidence> record = new ArrayList<>();
        for (TokenEvidence t : ts) {
            double[] f = t.features().clone();
            TokenFeature.STRUCTURED_CONTEXT.set(f, t.token().equals("1925") ? 1 : 0);
            record.add(new TokenEvidence(t.token(), t.start(), t.end(), f));
        }
        // 1925 comes from a record and passes 0.85; live jazz is prose and must pass 0.95.
        assertEquals(List.of("1925"), texts(Localisation.spans(TEXT, record, p, 0.85, 0.95, Granularity.TOKENS, 0,
                TEXT.length())));
        assertEquals(List.of("live jazz"), texts(Localisation.spans(TEXT, record, p, 0.95, 0.7, Granularity.TOKENS, 0,
                TEXT.length())));
    }

    @Test
    void clausesReachToTheNearestDelimiters() {
        assertEquals(List.of("It opened in 1925", "serves live jazz on Fridays"),
                texts(Localisation.spans(TEXT, ts, p, 0.5, 0.5, Granularity.CLAUSE, 0, TEXT.length())));
    }

    @Test
    void sentenceGranularityTakesTheWholeSentenceOnlyWhenSomethingIsFlagged() {
        assertEquals(List.of(TEXT), texts(Localisation.spans(TEXT, ts, p, 0.5, 0.5, Granularity.SENTENCE, 0, TEXT.length())));
        assertEquals(List.of(), Localisation.spans(TEXT, ts, p, 0.95, 0.95, Granularity.SENTENCE, 0, TEXT.length()));
    }
}
