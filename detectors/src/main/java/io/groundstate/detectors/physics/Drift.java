package io.groundstate.detectors.physics;

/**
 * CUSUM over calibrated energy x_t = E_t - E0: S_t = max(0, S_{t-1} + x_t - kappa), alarm when S_t > h.
 * Energies are not summed as distances (1 - cos is not a metric); drift in direction is measured as
 * an angle between the answer's running mean and the context centroid.
 */
public final class Drift {
    private Drift() {
    }

    public static double cusum(double previous, double calibratedEnergy, double kappa) {
        return Math.max(0, previous + calibratedEnergy - kappa);
    }
}
