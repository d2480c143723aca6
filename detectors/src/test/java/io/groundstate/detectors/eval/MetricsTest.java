package io.groundstate.detectors.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void aurocMatchesPairCounting() {
        double[] s = {0.1, 0.4, 0.35, 0.8, 0.4};
        boolean[] y = {false, false, true, true, true};
        // positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: wins 1+0 + 1+1 + 1+0.5 = 4.5 of 6
        assertEquals(0.75, Metrics.auroc(s, y), 1e-12);
    }

    @Test
    void aurocIsUndefinedWithOneClass() {
        assertTrue(Double.isNaN(Metrics.auroc(new double[] {1, 2}, new boolean[] {true, true})));
    }

    @Test
    void prf() {
        Metrics.Prf p = Metrics.binary(new boolean[] {true, true, false, false}, new boolean[] {true, false, true, false});
        assertEquals(0.5, p.precision(), 1e-12);
        assertEquals(0.5, p.recall(), 1e-12);
        assertEquals(0.5, p.f1(), 1e-12);
        assertEquals(0, Metrics.Prf.of(0, 0, 3).f1());
    }
}
