package io.groundstate.detectors.eval;

import io.groundstate.detectors.text.Attribution;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.Localisation;
import io.groundstate.detectors.calib.Localisation.TokenEvidence;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.detectors.physics.Drift;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    public record RecordResult(LabeledRecord record, List<SentenceResult> sentences, double probability,
                               boolean predicted) {
        /** A sentence is labeled unsupported when it overlaps a labeled span. */
        public boolean[] sentenceLabels() {
            boolean[] y = new boolean[sentences.size()];
            for (int i = 0; i < y.length; i++) {
                SentenceResult s = sentences.get(i);
                for (LabeledRecord.Span l : record.spans()) {
                    if (l.start() < s.end() && l.end() > s.start()) {
                        y[i] = true;
                    }
                }
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

    /** Re-applies a combiner to collected features, exactly as the monitor would have. */
    public static List<RecordResult> rescore(List<RecordResult> results, Combiner combiner) {
        List<RecordResult> out = new ArrayList<>(results.size());
        double kappa = combiner.thresholds().driftKappa();
        for (RecordResult r : results) {
            List<SentenceResult> ss = new ArrayList<>();
            double cusum = 0;
            List<double[]> rows = new ArrayList<>();
            for (SentenceResult s : r.sentences()) {
                double[] f = s.features().clone();
                cusum = Drift.cusum(cusum, SentenceFeature.CALIBRATED_ENERGY.of(f), kappa);
                SentenceFeature.CUSUM.set(f, cusum);
                rows.add(f);
                double ps = combiner.probability(f);
                double[] tp = Localisation.withSentenceProbability(s.tokens(), ps).stream()
                        .mapToDouble(combiner::tokenProbability).toArray();
                ss.add(new SentenceResult(s.start(), s.end(), f, ps, ps >= combiner.thresholds().sentence(),
                        s.attributed(), Localisation.spans(r.record().response(), s.tokens(), tp,
                        combiner.thresholds().token(), combiner.thresholds().proseToken(), combiner.granularity(),
                        s.start(), s.end()), s.tokens()));
            }
            double p = rows.isEmpty() ? 0 : combiner.responseProbability(rows);
            out.add(new RecordResult(r.record(), ss, p, p >= combiner.thresholds().response()));
        }
        return out;
    }

    public record Level(double precision, double recall, double f1, double auroc) {
    }

    public record TaskReport(int responses, int hallucinated, Level responseLevel, Level spanLevel) {
    }

    public record Report(int responses, Level responseLevel, Level spanLevel, Map<String, TaskReport> byTask,
                         double meanWithinTaskAuroc) {
    }

    /** Sentence-level F1: flagged sentences against sentences that overlap a labeled span. */
    public static double sentenceF1(List<RecordResult> results) {
        long tp = 0;
        long predicted = 0;
        long actual = 0;
        for (RecordResult r : results) {
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
        for (LabeledRecord.Span l : record.spans()) {
            if (l.start() < t.end() && l.end() > t.start()) {
                return true;
            }
        }
        return false;
    }

    public static Report report(List<RecordResult> results) {
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
        return new Report(results.size(), responseLevel(results), spanLevel(results), tasks,
                aurocCount == 0 ? Double.NaN : aurocSum / aurocCount);
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
