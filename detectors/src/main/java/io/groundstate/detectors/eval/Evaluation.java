package io.groundstate.detectors.eval;

import io.groundstate.detectors.text.Attribution;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.Localisation;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.calib.Localisation.TokenEvidence;
import io.groundstate.detectors.monitor.AlertRules;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.monitor.MonitorOutput.Severity;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.detectors.physics.Drift;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.IntConsumer;

/**
 * Runs labeled records through the per-request monitor, as simulated event streams, and measures
 * what it emitted against the labels.
 */
public final class Evaluation {
    private Evaluation() {
    }

    public record SentenceResult(int start, int end, double[] features, double probability, boolean flagged,
                                 List<Attribution> attributed, List<Attribution> spans,
                                 List<TokenEvidence> tokens) {
        public SentenceResult with(double p, boolean f) {
            return new SentenceResult(start, end, features, p, f, attributed, spans, tokens);
        }

        public SentenceResult withSpans(List<Attribution> s) {
            return new SentenceResult(start, end, features, probability, flagged, attributed, s, tokens);
        }
    }

    /** An alert as eval counts it: its kind and severity, on the sentence at {@code sentence}. */
    public record Alerted(int sentence, AlertKind kind, Severity severity) {
    }

    public record RecordResult(LabeledRecord record, List<SentenceResult> sentences, double probability,
                               boolean predicted, List<Alerted> alerts) {
        /** A result whose alerts do not matter (threshold searches). */
        public RecordResult(LabeledRecord record, List<SentenceResult> sentences, double probability, boolean predicted) {
            this(record, sentences, probability, predicted, List.of());
        }

        /**
         * A sentence is labeled unsupported when it overlaps a labeled span; only meaningful for a record labeled with
         * spans ({@link LabeledRecord#spanLabeled}).
         */
        public boolean[] sentenceLabels() {
            boolean[] y = new boolean[sentences.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = record.labeled(sentences.get(i).start(), sentences.get(i).end());
            }
            return y;
        }
    }

    /** Feeds each record's events to the monitor and keeps the latest score of each sentence and the verdict. */
    public static List<RecordResult> run(List<LabeledRecord> records, RequestMonitor monitor, IntConsumer progress) {
        List<RecordResult> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            LabeledRecord r = records.get(i);
            RequestState state = new RequestState();
            Map<Integer, SentenceResult> sentences = new TreeMap<>();
            MonitorOutput.Verdict verdict = null;
            for (MonitorEvent e : Simulator.events(r)) {
                for (MonitorOutput o : monitor.process(state, e)) {
                    if (o instanceof MonitorOutput.SpanScore s) {
                        sentences.put(s.sentenceIndex(), new SentenceResult(s.start(), s.end(), s.features(),
                                s.probability(), s.flagged(), s.attributed(), s.spans(), s.tokens()));
                    } else if (o instanceof MonitorOutput.Verdict v) {
                        verdict = v;
                    }
                }
            }
            if (verdict == null) {
                throw new IllegalStateException("no verdict for " + r.id());
            }
            out.add(new RecordResult(r, new ArrayList<>(sentences.values()), verdict.probability(),
                    verdict.hallucinated()));
            progress.accept(i + 1);
        }
        return out;
    }

    /**
     * The alerts of every kind that {@link AlertRules} raises on each answer's sentences as scored, published or
     * not: eval measures the kinds that are off by default too.
     */
    public static List<RecordResult> withAlerts(List<RecordResult> results, Thresholds thresholds) {
        List<RecordResult> out = new ArrayList<>(results.size());
        for (RecordResult r : results) {
            List<Alerted> alerted = new ArrayList<>();
            AlertRules.DriftArm drift = new AlertRules.DriftArm();
            for (int k = 0; k < r.sentences().size(); k++) {
                SentenceResult s = r.sentences().get(k);
                for (AlertRules.Decision d : AlertRules.decide(thresholds, s.probability(), s.features(), drift)) {
                    alerted.add(new Alerted(k, d.kind(), d.severity()));
                }
            }
            out.add(new RecordResult(r.record(), r.sentences(), r.probability(), r.predicted(), alerted));
        }
        return out;
    }

    /** Re-applies a combiner to collected features, exactly as the monitor would have. */
    public static List<RecordResult> rescore(List<RecordResult> results, Combiner combiner) {
        List<RecordResult> out = new ArrayList<>(results.size());
        double kappa = combiner.thresholds().driftKappa();
        for (RecordResult r : results) {
            List<SentenceResult> ss = new ArrayList<>();
            double cusum = 0;
            List<double[]> rows = new ArrayList<>();
            List<Alerted> alerted = new ArrayList<>();
            AlertRules.DriftArm drift = new AlertRules.DriftArm();
            for (SentenceResult s : r.sentences()) {
                double[] f = s.features().clone();
                cusum = Drift.cusum(cusum, SentenceFeature.CALIBRATED_ENERGY.of(f), kappa);
                SentenceFeature.CUSUM.set(f, cusum);
                rows.add(f);
                double ps = combiner.probability(f);
                for (AlertRules.Decision d : AlertRules.decide(combiner.thresholds(), ps, f, drift)) {
                    alerted.add(new Alerted(ss.size(), d.kind(), d.severity()));
                }
                double[] tp = Localisation.withSentenceProbability(s.tokens(), ps).stream()
                        .mapToDouble(combiner::tokenProbability).toArray();
                ss.add(new SentenceResult(s.start(), s.end(), f, ps, AlertRules.flagged(combiner.thresholds(), ps, f),
                        s.attributed(), Localisation.spans(r.record().response(), s.tokens(), tp,
                        combiner.thresholds().token(), combiner.thresholds().proseToken(), combiner.granularity(),
                        s.start(), s.end()), s.tokens()));
            }
            double p = rows.isEmpty() ? 0 : combiner.responseProbability(rows);
            out.add(new RecordResult(r.record(), ss, p, AlertRules.hallucinated(combiner.thresholds(), p, rows),
                    alerted));
        }
        return out;
    }

    public record Level(double precision, double recall, double f1, double auroc) {
    }

    public record TaskReport(int responses, int hallucinated, Level responseLevel, Level spanLevel) {
    }

    /**
     * @param spanLabeled the responses labeled with spans, over which the span level (and sentence-level alert
     *                    precision and recall) are measured; the rest count for the response level only
     */
    public record Report(int responses, Level responseLevel, Level spanLevel, Map<String, TaskReport> byTask,
                         double meanWithinTaskAuroc, int spanLabeled, AlertReport alerts, Calibration calibration,
                         PairReport pairs) {
    }

    /**
     * Minimal pairs (records sharing {@code pair}: one faithful, one hallucinated twin), overall and by edit.
     *
     * @param ranked          share of pairs whose twin's probability is above the faithful answer's
     * @param twinsFlagged    share of hallucinated twins judged hallucinated
     * @param faithfulFlagged share of faithful answers judged hallucinated
     * @param twinsAlerted    share of twins with a published alert; faithfulAlerted likewise
     */
    public record PairReport(int pairs, double ranked, double twinsFlagged, double faithfulFlagged,
                             double twinsAlerted, double faithfulAlerted, Map<String, PairReport> byEdit) {
    }

    /**
     * What the alerts an operator would receive are worth.
     *
     * @param byKind       each kind and severity (severity null: the kind at any severity)
     * @param faithfulWithAlert     share of faithful answers with at least one alert of any kind
     * @param hallucinatedWithAlert share of hallucinated answers with at least one
     */
    public record AlertReport(Set<AlertKind> published, List<KindReport> byKind, double faithfulWithAlert,
                              double hallucinatedWithAlert) {
    }

    /**
     * @param per100Answers alerts per 100 answers
     * @param precision     share of these alerts (on span-labeled answers) whose sentence overlaps a labeled span
     * @param recall        share of the sentences overlapping a labeled span that drew one
     */
    public record KindReport(AlertKind kind, Severity severity, int alerts, double per100Answers, double precision,
                             double recall) {
    }

    /** The verdict's probability against the truth: expected calibration error over equal-width bins, and the bins. */
    public record Calibration(double expectedCalibrationError, List<Bin> bins) {
    }

    /** Verdicts whose probability fell in [from, to): how many, their mean probability, the share hallucinated. */
    public record Bin(double from, double to, int responses, double meanProbability, double observedRate) {
    }

    /** Sentence-level F1: flagged sentences against sentences that overlap a labeled span. */
    public static double sentenceF1(List<RecordResult> results) {
        long tp = 0;
        long predicted = 0;
        long actual = 0;
        for (RecordResult r : results) {
            if (!r.record().spanLabeled()) {
                continue;
            }
            boolean[] y = r.sentenceLabels();
            for (int i = 0; i < y.length; i++) {
                boolean f = r.sentences().get(i).flagged();
                tp += f && y[i] ? 1 : 0;
                predicted += f ? 1 : 0;
                actual += y[i] ? 1 : 0;
            }
        }
        return Metrics.Prf.of(tp, predicted, actual).f1();
    }

    /** Token labels: a content token is unsupported when it overlaps a labeled span. */
    public static boolean tokenLabel(LabeledRecord record, TokenEvidence t) {
        return record.labeled(t.start(), t.end());
    }

    /** The report, with the answers' alerts counted over the kinds on by default. */
    public static Report report(List<RecordResult> results) {
        return report(results, MonitorConfig.DEFAULT_ALERT_KINDS);
    }

    /** @param published the alert kinds an operator receives, over which answers "with an alert" are counted */
    public static Report report(List<RecordResult> results, Set<AlertKind> published) {
        Map<String, List<RecordResult>> byTask = new TreeMap<>();
        for (RecordResult r : results) {
            byTask.computeIfAbsent(r.record().task(), k -> new ArrayList<>()).add(r);
        }
        Map<String, TaskReport> tasks = new LinkedHashMap<>();
        double aurocSum = 0;
        int aurocCount = 0;
        for (Map.Entry<String, List<RecordResult>> e : byTask.entrySet()) {
            List<RecordResult> rs = e.getValue();
            Level resp = responseLevel(rs);
            int positives = (int) rs.stream().filter(r -> r.record().hallucinated()).count();
            tasks.put(e.getKey(), new TaskReport(rs.size(), positives, resp, spanLevel(rs)));
            if (!Double.isNaN(resp.auroc())) {
                aurocSum += resp.auroc();
                aurocCount++;
            }
        }
        int spanLabeled = (int) results.stream().filter(r -> r.record().spanLabeled()).count();
        return new Report(results.size(), responseLevel(results), spanLevel(results), tasks,
                aurocCount == 0 ? Double.NaN : aurocSum / aurocCount, spanLabeled, alertReport(results, published),
                calibration(results, 10), pairReport(results, published));
    }

    /** The pairs among the results, or null when there are none; a pair's edit is its twin's first label type. */
    static PairReport pairReport(List<RecordResult> results, Set<AlertKind> published) {
        Map<String, RecordResult[]> pairs = new TreeMap<>();
        for (RecordResult r : results) {
            if (r.record().pair() != null) {
                pairs.computeIfAbsent(r.record().pair(), k -> new RecordResult[2])[r.record().hallucinated() ? 1 : 0] = r;
            }
        }
        List<RecordResult[]> complete = pairs.values().stream().filter(p -> p[0] != null && p[1] != null).toList();
        if (complete.isEmpty()) {
            return null;
        }
        Map<String, List<RecordResult[]>> byEdit = new TreeMap<>();
        for (RecordResult[] p : complete) {
            List<LabeledRecord.Span> spans = p[1].record().spans();
            String edit = spans.isEmpty() || spans.get(0).labelType() == null ? "unlabeled" : spans.get(0).labelType();
            byEdit.computeIfAbsent(edit, k -> new ArrayList<>()).add(p);
        }
        Map<String, PairReport> edits = new LinkedHashMap<>();
        byEdit.forEach((k, v) -> edits.put(k, pairs(v, published, Map.of())));
        return pairs(complete, published, edits);
    }

    private static PairReport pairs(List<RecordResult[]> ps, Set<AlertKind> published, Map<String, PairReport> byEdit) {
        double n = ps.size();
        return new PairReport(ps.size(),
                ps.stream().filter(p -> p[1].probability() > p[0].probability()).count() / n,
                ps.stream().filter(p -> p[1].predicted()).count() / n,
                ps.stream().filter(p -> p[0].predicted()).count() / n,
                ps.stream().filter(p -> alerted(p[1], published)).count() / n,
                ps.stream().filter(p -> alerted(p[0], published)).count() / n, byEdit);
    }

    private static boolean alerted(RecordResult r, Set<AlertKind> published) {
        return r.alerts().stream().anyMatch(a -> published.contains(a.kind()));
    }

    static AlertReport alertReport(List<RecordResult> results, Set<AlertKind> published) {
        List<KindReport> kinds = new ArrayList<>();
        long labeledSentences = 0;
        for (RecordResult r : results) {
            if (r.record().spanLabeled()) {
                for (boolean y : r.sentenceLabels()) {
                    labeledSentences += y ? 1 : 0;
                }
            }
        }
        for (AlertKind kind : AlertKind.values()) {
            List<Severity> severities = new ArrayList<>();
            severities.add(null);
            for (Severity sev : Severity.values()) {
                if (results.stream().anyMatch(r -> r.alerts().stream().anyMatch(a -> a.kind() == kind && a.severity() == sev))) {
                    severities.add(sev);
                }
            }
            for (Severity sev : severities) {
                int alerts = 0;
                long onLabeled = 0;
                long hits = 0;
                long recalled = 0;
                for (RecordResult r : results) {
                    boolean[] y = r.record().spanLabeled() ? r.sentenceLabels() : null;
                    Set<Integer> alertedSentences = new TreeSet<>();
                    for (Alerted a : r.alerts()) {
                        if (a.kind() != kind || (sev != null && a.severity() != sev)) {
                            continue;
                        }
                        alerts++;
                        alertedSentences.add(a.sentence());
                        if (y != null) {
                            onLabeled++;
                            hits += y[a.sentence()] ? 1 : 0;
                        }
                    }
                    if (y != null) {
                        for (int i : alertedSentences) {
                            recalled += y[i] ? 1 : 0;
                        }
                    }
                }
                kinds.add(new KindReport(kind, sev, alerts, results.isEmpty() ? Double.NaN : 100.0 * alerts / results.size(),
                        onLabeled == 0 ? Double.NaN : (double) hits / onLabeled,
                        labeledSentences == 0 ? Double.NaN : (double) recalled / labeledSentences));
            }
        }
        long faithful = results.stream().filter(r -> !r.record().hallucinated()).count();
        long hallucinated = results.size() - faithful;
        Predicate<RecordResult> alerted = r -> r.alerts().stream()
                .anyMatch(a -> published.contains(a.kind()));
        long faithfulAlerted = results.stream().filter(r -> !r.record().hallucinated() && alerted.test(r)).count();
        long hallucinatedAlerted = results.stream().filter(r -> r.record().hallucinated() && alerted.test(r)).count();
        return new AlertReport(published, kinds, faithful == 0 ? Double.NaN : (double) faithfulAlerted / faithful,
                hallucinated == 0 ? Double.NaN : (double) hallucinatedAlerted / hallucinated);
    }

    static Calibration calibration(List<RecordResult> results, int bins) {
        int[] n = new int[bins];
        double[] p = new double[bins];
        int[] positives = new int[bins];
        for (RecordResult r : results) {
            int b = Math.min(bins - 1, (int) Math.floor(r.probability() * bins));
            n[b]++;
            p[b] += r.probability();
            positives[b] += r.record().hallucinated() ? 1 : 0;
        }
        List<Bin> out = new ArrayList<>();
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            double mean = n[b] == 0 ? Double.NaN : p[b] / n[b];
            double rate = n[b] == 0 ? Double.NaN : (double) positives[b] / n[b];
            out.add(new Bin((double) b / bins, (double) (b + 1) / bins, n[b], mean, rate));
            if (n[b] > 0) {
                ece += (double) n[b] / results.size() * Math.abs(rate - mean);
            }
        }
        return new Calibration(results.isEmpty() ? Double.NaN : ece, out);
    }

    static Level responseLevel(List<RecordResult> rs) {
        boolean[] pred = new boolean[rs.size()];
        boolean[] act = new boolean[rs.size()];
        double[] score = new double[rs.size()];
        for (int i = 0; i < rs.size(); i++) {
            pred[i] = rs.get(i).predicted();
            act[i] = rs.get(i).record().hallucinated();
            score[i] = rs.get(i).probability();
        }
        Metrics.Prf prf = Metrics.binary(pred, act);
        return new Level(prf.precision(), prf.recall(), prf.f1(), Metrics.auroc(score, act));
    }

    /** Character overlap, micro-averaged: the verdict's spans (those of responses judged hallucinated) against labeled spans. */
    static Level spanLevel(List<RecordResult> rs) {
        long tp = 0;
        long predicted = 0;
        long actual = 0;
        for (RecordResult r : rs) {
            if (!r.record().spanLabeled()) {
                continue;
            }
            int n = r.record().response().length();
            boolean[] gold = Metrics.cover(n, r.record().spans().stream()
                    .map(s -> new int[] {s.start(), s.end()}).toArray(int[][]::new));
            boolean[] pred = Metrics.cover(n, !r.predicted() ? new int[0][] : r.sentences().stream()
                    .flatMap(s -> s.spans().stream()).map(s -> new int[] {s.start(), s.end()}).toArray(int[][]::new));
            for (int k = 0; k < n; k++) {
                tp += gold[k] && pred[k] ? 1 : 0;
                predicted += pred[k] ? 1 : 0;
                actual += gold[k] ? 1 : 0;
            }
        }
        Metrics.Prf prf = Metrics.Prf.of(tp, predicted, actual);
        return new Level(prf.precision(), prf.recall(), prf.f1(), Double.NaN);
    }

    /** Every response flagged, every character flagged: the floor any detector must beat. */
    public static Report flagEverything(List<LabeledRecord> records) {
        List<RecordResult> all = new ArrayList<>();
        for (LabeledRecord r : records) {
            List<SentenceResult> whole = List.of(new SentenceResult(0, r.response().length(), new double[0], 1, true,
                    List.of(), List.of(new Attribution(r.response(), 0, r.response().length())), List.of()));
            all.add(new RecordResult(r, whole, 1, true));
        }
        return report(all);
    }
}
