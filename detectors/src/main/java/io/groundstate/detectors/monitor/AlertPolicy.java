package io.groundstate.detectors.monitor;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.monitor.MonitorOutput.Severity;
import io.groundstate.detectors.monitor.RequestState.SentenceRecord;
import io.groundstate.detectors.text.Attribution;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Every decision the monitor publishes: which alerts a scored sentence raises (one rule per kind, here and
 * nowhere else) and the verdict on a finished answer. The evidence comes from the detectors; the thresholds from
 * the combiner's weights file.
 */
final class AlertPolicy {
    private final Combiner combiner;
    private final MonitorConfig config;
    private final String encoderId;
    private final LongSupplier emitClock;

    AlertPolicy(Combiner combiner, MonitorConfig config, String encoderId, LongSupplier emitClock) {
        this.combiner = combiner;
        this.config = config;
        this.encoderId = encoderId;
        this.emitClock = emitClock;
    }

    /** Publishes what {@link AlertRules#decide} raises on a sentence just scored. */
    void onScored(RequestState state, List<MonitorOutput> out, SentenceRecord r, String text, double probability,
                  List<Attribution> attributed, String chunkId, double similarity) {
        AlertRules.DriftArm drift = new AlertRules.DriftArm(state.driftArmed);
        for (AlertRules.Decision d : AlertRules.decide(combiner.thresholds(), probability, r.features, drift)) {
            if (!config.alertKinds().contains(d.kind())) {
                continue; // measured, not published (MonitorConfig.alertKinds)
            }
            alert(state, out, d.kind(), d.severity(), d.score(), d.threshold(), text, r, attributed, chunkId,
                    similarity);
        }
        state.driftArmed = drift.armed;
    }

    private void alert(RequestState state, List<MonitorOutput> out, AlertKind kind, Severity severity, double score,
                       double threshold, String text, SentenceRecord r, List<Attribution> attributed,
                       String chunkId, double similarity) {
        String id = alertId(state.requestId, kind, r.start, r.end);
        if (!state.alertIds.add(id)) {
            return; // re-scoring found what was already reported
        }
        state.alerts++;
        out.add(new MonitorOutput.Alert(id, state.requestId, state.app, state.model, kind, severity, score, threshold,
                config.alertText() ? text : null, r.start, r.end, attributed, chunkId, similarity,
                RequestMonitor.DETECTOR_VERSION, encoderId, r.eventTime, emitClock.getAsLong()));
    }

    /** Deterministic: the same request, kind and span give the same id, so consumers can de-duplicate. */
    static String alertId(String requestId, AlertKind kind, int start, int end) {
        String key = requestId + "\u0000" + kind + "\u0000" + start + "\u0000" + end;
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The verdict on a finished answer, from all its scored sentences; the spans only when it is judged hallucinated. */
    MonitorOutput.Verdict verdict(RequestState state) {
        List<double[]> scored = state.sentences.stream().filter(r -> r.scoredWith >= 0).map(r -> r.features).toList();
        double p = scored.isEmpty() ? 0 : combiner.responseProbability(scored);
        double threshold = combiner.thresholds().response();
        boolean hallucinated = AlertRules.hallucinated(combiner.thresholds(), p, scored);
        // The final localisation: the spans of a response judged hallucinated (live spans are provisional).
        List<Attribution> spans = hallucinated
                ? state.sentences.stream().filter(r -> r.spans != null).flatMap(r -> r.spans.stream()).toList()
                : List.of();
        int flagged = (int) state.sentences.stream().filter(r -> r.flagged).count();
        return new MonitorOutput.Verdict(state.requestId, state.app, state.model, hallucinated, p, threshold,
                spans, state.sentences.size(), flagged, state.alerts, state.finishReason, state.gaps, state.duplicates,
                state.unusableChunks, RequestMonitor.DETECTOR_VERSION, encoderId, state.lastEventTime);
    }
}
