package io.groundstate.detectors.monitor;

import io.groundstate.detectors.calib.Localisation.TokenEvidence;
import io.groundstate.detectors.text.Attribution;
import java.util.List;

/** What the monitor emits: span scores, alerts and one verdict per request. */
public sealed interface MonitorOutput {
    String requestId();

    enum AlertKind { UNGROUNDED_SPAN, FRAGILE_STATE, DRIFT }

    enum Severity { INFO, WARNING, CRITICAL }

    /**
     * @param attributed the tokens that pulled the sentence away (lexically unsupported, then largest Delta)
     * @param spans      the localised unsupported phrases, from the token model
     * @param tokens     the evidence about each content token, for calibration
     */
    record SpanScore(String requestId, String app, String model, int sentenceIndex, int start, int end,
                     String text, double[] features, String state, String transition, double probability,
                     boolean flagged, List<Attribution> attributed, List<Attribution> spans,
                     List<TokenEvidence> tokens, String nearestChunkId, double nearestSimilarity, long eventTime)
            implements MonitorOutput {
    }

    record Alert(String alertId, String requestId, String app, String model, AlertKind kind, Severity severity,
                 double score, double threshold, String text, int start, int end, List<Attribution> attributed,
                 String nearestChunkId, Double nearestSimilarity, String detectorVersion, String modelVersion,
                 long eventTime, long emitTime) implements MonitorOutput {
    }

    /** @param spans the localised unsupported spans of the whole response, empty unless it is judged hallucinated */
    record Verdict(String requestId, String app, String model, boolean hallucinated, double probability,
                   double threshold, List<Attribution> spans, int sentences, int flaggedSentences, int alerts, String finishReason,
                   int tokenGaps, int duplicateDeltas, int unusableChunks, String detectorVersion,
                   String modelVersion, long eventTime) implements MonitorOutput {
    }
}
