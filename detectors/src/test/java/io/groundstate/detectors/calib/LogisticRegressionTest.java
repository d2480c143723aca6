package io.groundstate.detectors.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {
    @Test
    void recoversTheGeneratingWeights() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 20000;
        double[][] x = new double[n][2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = r.nextGaussian();
            x[i][1] = r.nextGaussian();
            double z = 2 * x[i][0] - 1 * x[i][1] + 0.5;
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
        }
        LogisticRegression.Fit f = LogisticRegression.fit(x, y, 1e-6, 1);
        assertEquals(2.0, f.weights()[0] / f.scale()[0], 0.1);
        assertEquals(-1.0, f.weights()[1] / f.scale()[1], 0.1);
    }

    @Test
    void aConstantColumnGetsNoWeight() {
        double[][] x = {{1, 5}, {2, 5}, {3, 5}, {4, 5}};
        int[] y = {0, 0, 1, 1};
        LogisticRegression.Fit f = LogisticRegression.fit(x, y, 1, 1);
        assertEquals(0, f.weights()[1], 1e-9);
        assertTrue(f.weights()[0] > 0);
    }

    @Test
    void aSingularFitIsRefusedLoudlyInsteadOfDroppingADirection() {
        // Without a penalty, a column that copies another leaves the Hessian singular: the old elimination skipped
        // the zero pivot and returned a weight of 0 for it, silently.
        double[][] x = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {2, 2}, {3, 3}};
        int[] y = {0, 0, 1, 1, 1, 0};
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LogisticRegression.fit(x, y, 0, 1));
        assertTrue(e.getMessage().contains("singular"), e.getMessage());
        // With the penalty every fit here uses, the same data fits, the weight shared between the copies.
        LogisticRegression.Fit f = LogisticRegression.fit(x, y, 1, 1);
        assertEquals(f.weights()[0], f.weights()[1], 1e-9);
    }
}
