package io.groundstate.detectors.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.monitor.MonitorOutput.Severity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** eval's measures of decisions: alert precision and recall per kind, answers with an alert, calibration. */
class DecisionMetricsTest {
    static final Thresholds TH = new Thresholds(0.5, 0.8, 0.5, 0.1, 0.2, 1.0, 0.25, 0.5, null);

    /** Two sentences "aaaa. bbbb." (0-5, 6-11) with the given probabilities and gains. */
    static Evaluation.RecordResult answer(String id, List<LabeledRecord.Span> labels, String granularity,
                                          Boolean hallucinated, double verdict, double[] p, double[] gain) {
        LabeledRecord r = new LabeledRecord(id, id, "QA", "m", "", "ctx", "aaaa. bbbb.", labels, hallucinated,
                granularity);
        List<Evaluation.SentenceResult> ss = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            double[] f = new double[SentenceFeature.values().length];
            SentenceFeature.GAIN.set(f, gain[i]);
            ss.add(new Evaluation.SentenceResult(i * 6, i * 6 + 5, f, p[i], p[i] >= TH.sentence(), List.of(), List.of(),
                    List.of()));
        }
        return new Evaluation.RecordResult(r, ss, verdict, verdict >= 0.5);
    }

    static LabeledRecord.Span second() {
        return new LabeledRecord.Span(6, 10, "bbbb", "x");
    }

    @Test
    void alertPrecisionRecallAndAnswersWithAnAlertFollowTheLabelsAndThePublishedKinds() {
        List<Evaluation.RecordResult> results = Evaluation.withAlerts(List.of(
                // hallucinated: a critical ungrounded alert on the labeled sentence, a fragile one on the other
                answer("h1", List.of(second()), null, null, 0.9, new double[] {0.1, 0.9}, new double[] {0.2, 0}),
                // faithful: a warning on a sentence that is fine
                answer("f1", List.of(), null, null, 0.2, new double[] {0.6, 0.1}, new double[] {0, 0}),
                // faithful: only a fragile state, which is not published
                answer("f2", List.of(), null, null, 0.2, new double[] {0.1, 0.1}, new double[] {0.3, 0})), TH);
        Evaluation.AlertReport a = Evaluation.report(results, Set.of(AlertKind.UNGROUNDED_SPAN)).alerts();
        Evaluation.KindReport ungrounded = find(a, AlertKind.UNGROUNDED_SPAN, null);
        assertEquals(2, ungrounded.alerts());
        assertEquals(0.5, ungrounded.precision(), 1e-12);
        assertEquals(1.0, ungrounded.recall(), 1e-12, "the one labeled sentence drew one");
        assertEquals(1.0, find(a, AlertKind.UNGROUNDED_SPAN, Severity.CRITICAL).precision(), 1e-12);
        assertEquals(0.0, find(a, AlertKind.UNGROUNDED_SPAN, Severity.WARNING).precision(), 1e-12);
        assertEquals(0.0, find(a, AlertKind.FRAGILE_STATE, null).precision(), 1e-12);
        assertEquals(200.0 / 3, ungrounded.per100Answers(), 1e-9);
        assertEquals(0.5, a.faithfulWithAlert(), 1e-12, "f2's fragile state is not published");
        assertEquals(1.0, a.hallucinatedWithAlert(), 1e-12);
        Evaluation.AlertReport all = Evaluation.report(results, Set.of(AlertKind.values())).alerts();
        assertEquals(1.0, all.faithfulWithAlert(), 1e-12);
    }

    /** A response-level label counts for the verdict only: its sentences are neither right nor wrong alerts. */
    @Test
    void aRecordLabeledAtResponseLevelCountsForTheVerdictOnly() {
        Evaluation.RecordResult byResponse = answer("r1", List.of(), "response", true, 0.9, new double[] {0.9, 0.9},
                new double[] {0, 0});
        assertTrue(byResponse.record().hallucinated());
        assertFalse(byResponse.record().spanLabeled());
        Evaluation.Report report = Evaluation.report(Evaluation.withAlerts(List.of(byResponse,
                answer("h1", List.of(second()), null, null, 0.9, new double[] {0.1, 0.9}, new double[] {0, 0})), TH));
        assertEquals(1, report.spanLabeled());
        assertEquals(1.0, report.responseLevel().recall(), 1e-12, "both hallucinated answers were caught");
        Evaluation.KindReport u = find(report.alerts(), AlertKind.UNGROUNDED_SPAN, null);
        assertEquals(3, u.alerts());
        assertEquals(1.0, u.precision(), 1e-12, "only the span-labeled answer's alert is judged");
    }

    @Test
    void expectedCalibrationErrorIsTheWeightedGapBetweenPredictedAndObserved() {
        List<Evaluation.RecordResult> rs = new ArrayList<>();
        // bin [0.9, 1): four at 0.95, three hallucinated (gap 0.2); bin [0.1, 0.2): four at 0.15, none (gap 0.15)
        for (int i = 0; i < 4; i++) {
            rs.add(answer("a" + i, i < 3 ? List.of(second()) : List.of(), null, null, 0.95, new double[] {0, 0},
                    new double[] {0, 0}));
            rs.add(answer("b" + i, List.of(), null, null, 0.15, new double[] {0, 0}, new double[] {0, 0}));
        }
        Evaluation.Calibration c = Evaluation.report(rs).calibration();
        assertEquals(0.5 * 0.2 + 0.5 * 0.15, c.expectedCalibrationError(), 1e-9);
        assertEquals(4, c.bins().get(9).responses());
        assertEquals(0.75, c.bins().get(9).observedRate(), 1e-12);
    }

    @Test
    void aResponseLevelRecordNeedsItsLabelAndSpansMustAgreeWithIt() {
        String line = "{\"id\":\"x\",\"context\":\"c\",\"response\":\"r\",\"labels\":[],\"label_granularity\":\"response\"}";
        IOException missing = assertThrows(IOException.class,
                () -> LabeledRecord.read(new BufferedReader(new StringReader(line)), "t"));
        assertTrue(missing.getMessage().contains("hallucinated"), missing.getMessage());
        String contradicting = "{\"id\":\"x\",\"context\":\"c\",\"response\":\"r\",\"labels\":[],\"hallucinated\":true}";
        assertThrows(IOException.class, () -> LabeledRecord.read(new BufferedReader(new StringReader(contradicting)), "t"));
    }

    /** Each severity's level is where its own sentences reach the precision it is fitted to, not where F1 peaks. */
    @Test
    void alertLevelsAreFittedToPrecisionNotToF1() {
        List<Evaluation.RecordResult> rs = new ArrayList<>();
        List<double[]> truth = new ArrayList<>();
        // the labeled share rises with the probability: 1 in 10 below 0.4, 6 in 10 to 0.85, all above
        for (int i = 0; i < 100; i++) {
            double p = 0.05 + 0.9 * i / 100;
            boolean labeled = p >= 0.85 || (p >= 0.4 ? i % 10 < 6 : i % 10 == 0);
            rs.add(answer("s" + i, labeled ? List.of(second()) : List.of(), null, null, 0.5,
                    new double[] {0.01, p}, new double[] {0, 0}));
            truth.add(new double[] {p, labeled ? 1 : 0});
        }
        Calibrator.AlertLevels levels = Calibrator.alertLevels(rs, 0.2);
        assertTrue(levels.warning() > 0.2 && levels.warning() < levels.critical(), levels.toString());
        assertTrue(share(truth, levels.critical(), 2) >= Calibrator.CRITICAL_PRECISION, levels.toString());
        assertTrue(share(truth, levels.warning(), levels.critical()) >= Calibrator.WARNING_PRECISION, levels.toString());
        assertTrue(share(truth, 0.2, levels.warning()) < Calibrator.WARNING_PRECISION, "F1's level would warn wrongly");
    }

    private static double share(List<double[]> truth, double from, double to) {
        return truth.stream().filter(t -> t[0] >= from && t[0] < to).mapToDouble(t -> t[1]).average().orElse(Double.NaN);
    }

    static Evaluation.KindReport find(Evaluation.AlertReport a, AlertKind kind, Severity severity) {
        return a.byKind().stream().filter(k -> k.kind() == kind && k.severity() == severity).findFirst().orElseThrow();
    }
}
