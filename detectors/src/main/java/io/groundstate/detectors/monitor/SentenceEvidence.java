package io.groundstate.detectors.monitor;

/**
 * What one detector family found about one sentence, as named values; {@link #writeTo} puts them in their
 * {@link io.groundstate.detectors.calib.SentenceFeature} columns, the only place that family's columns are written.
 */
interface SentenceEvidence {
    void writeTo(double[] sentenceFeatures);
}
