package io.groundstate.detectors.monitor;

import static io.groundstate.detectors.calib.SentenceFeature.CUSUM;
import static io.groundstate.detectors.calib.SentenceFeature.DRIFT_ANGLE;

import io.groundstate.detectors.physics.Drift;
import io.groundstate.detectors.vec.Vectors;

/**
 * Whether the answer as a whole is moving away from the context: the CUSUM of calibrated energies so far and the
 * angle between the running sum of the answer's sentences and the context's centroid.
 */
record DriftEvidence(double cusum, float[] runningSum, double driftAngle) implements SentenceEvidence {
    /**
     * @param runningSum the sum of the earlier sentences' embeddings, null before the first; not changed
     * @param centroid   the context's centroid, null when it has none (the angle is then 0)
     */
    static DriftEvidence of(double previousCusum, double calibratedEnergy, double kappa, float[] runningSum,
                            float[] sentence, float[] centroid) {
        float[] sum = runningSum == null ? new float[sentence.length] : runningSum.clone();
        for (int i = 0; i < sentence.length; i++) {
            sum[i] += sentence[i];
        }
        double angle = centroid == null ? 0 : Vectors.angle(Vectors.normalize(sum), centroid);
        return new DriftEvidence(Drift.cusum(previousCusum, calibratedEnergy, kappa), sum, angle);
    }

    @Override
    public void writeTo(double[] f) {
        CUSUM.set(f, cusum);
        DRIFT_ANGLE.set(f, driftAngle);
    }
}
