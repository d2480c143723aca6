package io.groundstate.streams.topology;

import io.groundstate.detectors.text.Attribution;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.schemas.Alert;
import io.groundstate.schemas.AlertKind;
import io.groundstate.schemas.JsonForm;
import io.groundstate.schemas.ResponseVerdict;
import io.groundstate.schemas.SchemaException;
import io.groundstate.schemas.Severity;
import io.groundstate.schemas.SpanScore;
import io.groundstate.schemas.TextSpan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/** The monitor's outputs as the schemas' records, and their wire form (JSON or Avro single-object). */
public final class OutputRecords {
    private OutputRecords() {
    }

    public static SpecificRecord toRecord(MonitorOutput o, boolean withText) {
        if (o instanceof MonitorOutput.Alert a) {
            return Alert.newBuilder()
                    .setAlertId(a.alertId()).setRequestId(a.requestId()).setApp(a.app()).setModel(a.model())
                    .setKind(AlertKind.valueOf(a.kind().name())).setSeverity(Severity.valueOf(a.severity().name()))
                    .setScore(a.score()).setThreshold(a.threshold())
                    .setText(withText ? a.text() : null).setStart(a.start()).setEnd(a.end())
                    .setAttributedTokens(tokens(a.attributed()))
                    .setNearestChunkId(a.nearestChunkId()).setNearestSimilarity(a.nearestSimilarity())
                    .setDetectorVersion(a.detectorVersion()).setModelVersion(a.modelVersion())
                    .setEventTime(Instant.ofEpochMilli(a.eventTime())).setEmitTime(Instant.ofEpochMilli(a.emitTime()))
                    .build();
        } else if (o instanceof MonitorOutput.SpanScore s) {
            double[] f = s.features();
            return SpanScore.newBuilder()
                    .setRequestId(s.requestId()).setApp(s.app()).setModel(s.model())
                    .setSentenceIndex(s.sentenceIndex()).setStart(s.start()).setEnd(s.end())
                    .setText(withText ? s.text() : null)
                    .setEnergy(SentenceFeature.ENERGY.of(f))
                    .setCalibratedEnergy(SentenceFeature.CALIBRATED_ENERGY.of(f))
                    .setMargin(SentenceFeature.MARGIN.of(f))
                    .setGain(SentenceFeature.GAIN.of(f))
                    .setFragility(SentenceFeature.FRAGILITY.of(f))
                    .setUnsupportedRatio(SentenceFeature.UNSUPPORTED_RATIO.of(f))
                    .setCusum(SentenceFeature.CUSUM.of(f))
                    .setState(s.state()).setTransition(s.transition())
                    .setProbability(s.probability()).setFlagged(s.flagged())
                    .setAttributedTokens(tokens(s.attributed()))
                    .setNearestChunkId(s.nearestChunkId()).setNearestSimilarity(s.nearestSimilarity())
                    .setEventTime(Instant.ofEpochMilli(s.eventTime()))
                    .build();
        } else if (o instanceof MonitorOutput.Verdict v) {
            return ResponseVerdict.newBuilder()
                    .setRequestId(v.requestId()).setApp(v.app()).setModel(v.model())
                    .setHallucinated(v.hallucinated()).setProbability(v.probability()).setThreshold(v.threshold())
                    .setUnsupportedSpans(v.spans().stream()
                            .map(t -> new TextSpan(t.start(), t.end(), withText ? t.token() : null)).toList())
                    .setSentences(v.sentences()).setFlaggedSentences(v.flaggedSentences()).setAlerts(v.alerts())
                    .setFinishReason(v.finishReason()).setTokenGaps(v.tokenGaps())
                    .setDuplicateDeltas(v.duplicateDeltas()).setUnusableChunks(v.unusableChunks())
                    .setDetectorVersion(v.detectorVersion()).setModelVersion(v.modelVersion())
                    .setEventTime(Instant.ofEpochMilli(v.eventTime()))
                    .build();
        }
        throw new IllegalArgumentException("not an output: " + o);
    }

    private static List<String> tokens(List<Attribution> attributed) {
        return attributed.stream().map(Attribution::token).toList();
    }

    public static byte[] toJsonBytes(SpecificRecord r) {
        return JsonForm.toJsonBytes(r);
    }

    public static byte[] toAvroBytes(SpecificRecord r) {
        try {
            ByteBuffer b;
            if (r instanceof Alert a) {
                b = a.toByteBuffer();
            } else if (r instanceof SpanScore s) {
                b = s.toByteBuffer();
            } else if (r instanceof ResponseVerdict v) {
                b = v.toByteBuffer();
            } else {
                throw new IllegalArgumentException("not an output record: " + r.getClass().getName());
            }
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new SchemaException(SchemaException.Reason.UNDECODABLE, "cannot encode " + r.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Serialises output records in the configured form. */
    public static Serializer<SpecificRecord> serializer(boolean avro) {
        return (topic, r) -> r == null ? null : avro ? toAvroBytes(r) : toJsonBytes(r);
    }
}
