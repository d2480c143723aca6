package io.groundstate.detectors.eval;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.monitor.AlertRules;
import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.calib.LogisticRegression;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.calib.Localisation;
import io.groundstate.detectors.eval.Evaluation.RecordResult;
import io.groundstate.detectors.eval.Evaluation.SentenceResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Fits the combiner's weights and every alert threshold from labeled sentences, and measures
 * the result honestly by cross-validation over sources (answers to one source never straddle folds).
 */
public final class Calibrator {
    public static final String VERSION = "9";
    /** L2 penalties on standardised weights; the response model sees a tenth as many examples. */
    public static final double SENTENCE_LAMBDA = 10.0;
    public static final double RESPONSE_LAMBDA = 10.0;
    public static final double TOKEN_LAMBDA = 10.0;

    private Calibrator() {
    }

    /** Which features each stage uses. */
    public record FeatureSets(List<String> sentence, List<String> response) {
        public static FeatureSets shipped() {
            return new FeatureSets(Features.NAMES, Features.SHIPPED_RESPONSE);
        }
    }

    public static Combiner fit(List<RecordResult> data, FeatureSets sets, String encoderId, String fittedOn,
                               Thresholds base) {
        // Drift slack: the median calibrated energy of faithful sentences.
        List<Double> faithful = new ArrayList<>();
        for (RecordResult r : data) {
            if (!r.record().spanLabeled()) {
                continue; // its sentences' labels are unknown
            }
            boolean[] y = r.sentenceLabels();
            for (int i = 0; i < y.length; i++) {
                if (!y[i]) {
                    faithful.add(SentenceFeature.CALIBRATED_ENERGY.of(r.sentences().get(i).features()));
                }
            }
        }
        double kappa = quantile(faithful, 0.5);
        Thresholds withKappa = new Thresholds(0.5, 0.75, 0.5, Double.MAX_VALUE, kappa, Double.MAX_VALUE,
                base.nullEnergy(), 1.0, null);
        List<RecordResult> cusumed = Evaluation.rescore(data, placeholder(withKappa));

        int[] cols = sets.sentence().stream().mapToInt(Features::index).toArray();
        int[] rcols = sets.response().stream().mapToInt(n -> Features.index(Features.RESPONSE_NAMES, n)).toArray();
        List<double[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        List<double[]> rxs = new ArrayList<>();
        List<Integer> rys = new ArrayList<>();
        List<Double> gainsFaithful = new ArrayList<>();
        List<Double> maxCusumFaithful = new ArrayList<>();
        for (RecordResult r : cusumed) {
            boolean spans = r.record().spanLabeled();
            boolean[] y = spans ? r.sentenceLabels() : null;
            double maxCusum = 0;
            List<double[]> rows = new ArrayList<>();
            for (int i = 0; i < r.sentences().size(); i++) {
                double[] f = r.sentences().get(i).features();
                rows.add(f);
                if (spans) { // a response-level label says nothing about one sentence
                    xs.add(select(f, cols));
                    ys.add(y[i] ? 1 : 0);
                    if (!y[i]) {
                        gainsFaithful.add(SentenceFeature.GAIN.of(f));
                    }
                }
                maxCusum = Math.max(maxCusum, SentenceFeature.CUSUM.of(f));
            }
            if (!rows.isEmpty()) {
                rxs.add(select(Features.response(rows), rcols));
                rys.add(r.record().hallucinated() ? 1 : 0);
            }
            if (!r.record().hallucinated()) {
                maxCusumFaithful.add(maxCusum);
            }
        }
        LogisticRegression.Fit sentenceFit = LogisticRegression.fit(xs.toArray(double[][]::new),
                ys.stream().mapToInt(Integer::intValue).toArray(), SENTENCE_LAMBDA, 1.0);
        LogisticRegression.Fit responseFit = LogisticRegression.fit(rxs.toArray(double[][]::new),
                rys.stream().mapToInt(Integer::intValue).toArray(), RESPONSE_LAMBDA, 1.0);
        Combiner.Model sentence = new Combiner.Model(sets.sentence(), sentenceFit.mean(), sentenceFit.scale(),
                sentenceFit.weights(), sentenceFit.bias());
        Combiner.Model response = new Combiner.Model(sets.response(), responseFit.mean(), responseFit.scale(),
                responseFit.weights(), responseFit.bias());
        Thresholds provisional = new Thresholds(0.5, 0.75, 0.5, quantile(gainsFaithful, 0.95), kappa,
                quantile(maxCusumFaithful, 0.95), base.nullEnergy(), 0.5, null);
        Combiner.Model noTokens = new Combiner.Model(List.of(), new double[0], new double[0], new double[0], 0);
        Combiner twoStage = new Combiner(new Combiner.Weights("1", encoderId, fittedOn, sentence, response, noTokens,
                provisional, null));
        // The token model sees each sentence's probability from the sentence model just fitted.
        List<double[]> txs = new ArrayList<>();
        List<Integer> tys = new ArrayList<>();
        for (RecordResult r : cusumed) {
            if (!r.record().spanLabeled()) {
                continue;
            }
            for (SentenceResult s : r.sentences()) {
                List<double[]> rows = Localisation.withSentenceProbability(s.tokens(), twoStage.probability(s.features()));
                for (int i = 0; i < rows.size(); i++) {
                    txs.add(rows.get(i));
                    tys.add(Evaluation.tokenLabel(r.record(), s.tokens().get(i)) ? 1 : 0);
                }
            }
        }
        LogisticRegression.Fit tokenFit = LogisticRegression.fit(txs.toArray(double[][]::new),
                tys.stream().mapToInt(Integer::intValue).toArray(), TOKEN_LAMBDA, 1.0);
        Combiner.Model token = new Combiner.Model(Features.TOKEN_NAMES, tokenFit.mean(), tokenFit.scale(),
                tokenFit.weights(), tokenFit.bias());
        Combiner threeStage = new Combiner(new Combiner.Weights("1", encoderId, fittedOn, sentence, response, token,
                provisional, null));
        List<RecordResult> scored = Evaluation.rescore(cusumed, threeStage);
        double responseThreshold = bestResponseThreshold(scored);
        double sentenceThreshold = bestSentenceThreshold(scored);
        // Spans are reported for responses judged hallucinated, so their threshold is chosen under that verdict.
        Thresholds withVerdict = new Thresholds(sentenceThreshold, 0.75, responseThreshold, provisional.fragileGain(),
                kappa, provisional.driftH(), base.nullEnergy(), 0.5, null);
        Combiner judged = new Combiner(new Combiner.Weights("1", encoderId, fittedOn, sentence, response, token,
                withVerdict, null));
        SpanChoice spans = bestSpans(Evaluation.rescore(cusumed, judged), judged);
        AlertLevels alerts = alertLevels(scored, sentenceThreshold);
        Thresholds th = new Thresholds(alerts.warning(), alerts.critical(), responseThreshold,
                provisional.fragileGain(), kappa, provisional.driftH(), base.nullEnergy(), spans.record(),
                spans.prose());
        return new Combiner(new Combiner.Weights(VERSION, encoderId, fittedOn, sentence, response, token, th,
                spans.granularity()));
    }

    /** The precision an ungrounded-span warning is fitted to on the training sources, above the 0.5 it must keep held out. */
    public static final double WARNING_PRECISION = 0.6;
    /** And a critical one. */
    public static final double CRITICAL_PRECISION = 0.8;

    record AlertLevels(double warning, double critical) {
    }

    /**
     * Where an ungrounded-span alert is published, and at which severity: critical from the lowest probability above
     * which the training sentences' precision reaches {@link #CRITICAL_PRECISION}; warning from the lowest at which
     * the sentences between it and critical reach {@link #WARNING_PRECISION}, so that each severity is mostly right on
     * its own. Where no band does, there are no warnings (warning = critical). Sentence F1 would put the warning
     * far lower (at {@code f1Best}), where most warnings are wrong.
     */
    static AlertLevels alertLevels(List<RecordResult> scored, double f1Best) {
        List<double[]> sentences = new ArrayList<>(); // probability, label
        for (RecordResult r : scored) {
            if (!r.record().spanLabeled()) {
                continue;
            }
            boolean[] y = r.sentenceLabels();
            for (int i = 0; i < y.length; i++) {
                sentences.add(new double[] {r.sentences().get(i).probability(), y[i] ? 1 : 0});
            }
        }
        double[] ts = candidates(sentences.stream().mapToDouble(x -> x[0]).toArray());
        double critical = f1Best + (1 - f1Best) / 2;
        for (double t : ts) {
            if (precision(sentences, t, Double.POSITIVE_INFINITY) >= CRITICAL_PRECISION) {
                critical = t;
                break;
            }
        }
        double warning = critical;
        for (double t : ts) {
            if (t < critical && precision(sentences, t, critical) >= WARNING_PRECISION) {
                warning = t;
                break;
            }
        }
        return new AlertLevels(warning, critical);
    }

    /** Share labeled among sentences with probability in [from, to); NaN for none. */
    private static double precision(List<double[]> sentences, double from, double to) {
        long n = 0;
        long hits = 0;
        for (double[] s : sentences) {
            if (s[0] >= from && s[0] < to) {
                n++;
                hits += s[1] > 0 ? 1 : 0;
            }
        }
        return n == 0 ? Double.NaN : (double) hits / n;
    }

    private static double[] select(double[] f, int[] cols) {
        double[] row = new double[cols.length];
        for (int c = 0; c < cols.length; c++) {
            row[c] = f[cols[c]];
        }
        return row;
    }

    /** Only its thresholds matter: used to recompute CUSUM with a new slack before the models exist. */
    private static Combiner placeholder(Thresholds th) {
        Combiner.Model none = new Combiner.Model(List.of(), new double[0], new double[0], new double[0], 0);
        return new Combiner(new Combiner.Weights("0", "", "", none, none, none, th, null));
    }

    static double bestResponseThreshold(List<RecordResult> scored) {
        double best = -1;
        double bestT = 0.5;
        for (double t : candidates(scored.stream().mapToDouble(RecordResult::probability).toArray())) {
            // A contradicted answer is judged hallucinated whatever its probability (AlertRules.hallucinated).
            List<RecordResult> rs = scored.stream().map(r -> new RecordResult(r.record(), r.sentences(),
                    r.probability(), r.probability() >= t
                    || r.sentences().stream().anyMatch(x -> AlertRules.contradicted(x.features())))).toList();
            double f1 = Evaluation.report(rs).responseLevel().f1();
            if (f1 > best) {
                best = f1;
                bestT = t;
            }
        }
        return bestT;
    }

    /** Alerts are about sentences, so their threshold maximises sentence-level F1. */
    static double bestSentenceThreshold(List<RecordResult> scored) {
        double best = -1;
        double bestT = 0.5;
        double[] all = scored.stream().flatMap(r -> r.sentences().stream()).mapToDouble(SentenceResult::probability)
                .toArray();
        for (double t : candidates(all)) {
            List<RecordResult> rs = scored.stream().map(r -> new RecordResult(r.record(),
                    r.sentences().stream().map(s -> s.with(s.probability(), s.probability() >= t)).toList(),
                    r.probability(), r.predicted())).toList();
            double f1 = Evaluation.sentenceF1(rs);
            if (f1 > best) {
                best = f1;
                bestT = t;
            }
        }
        return bestT;
    }

    record SpanChoice(double record, double prose, Localisation.Granularity granularity) {
    }

    /**
     * Localised spans are judged by character overlap, so how far a span reaches (token run, clause or
     * sentence) and the token thresholds for records and for prose are chosen to maximise span-level
     * F1: for each granularity, one shared threshold first, then each context kind's in turn.
     */
    static SpanChoice bestSpans(List<RecordResult> scored, Combiner combiner) {
        List<double[]> probabilities = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (RecordResult r : scored) {
            for (SentenceResult s : r.sentences()) {
                double[] tp = Localisation.withSentenceProbability(s.tokens(), s.probability()).stream()
                        .mapToDouble(combiner::tokenProbability).toArray();
                probabilities.add(tp);
                for (double p : tp) {
                    all.add(p);
                }
            }
        }
        double[] thresholds = candidates(all.stream().mapToDouble(Double::doubleValue).toArray());
        double best = -1;
        SpanChoice choice = new SpanChoice(0.5, 0.5, Localisation.Granularity.TOKENS);
        for (Localisation.Granularity g : Localisation.Granularity.values()) {
            SpanChoice c = new SpanChoice(0.5, 0.5, g);
            double f1 = -1;
            for (double t : thresholds) {
                double f = spanF1(scored, probabilities, new SpanChoice(t, t, g));
                if (f > f1) {
                    f1 = f;
                    c = new SpanChoice(t, t, g);
                }
            }
            for (int kind = 0; kind < 2; kind++) {
                for (double t : thresholds) {
                    SpanChoice trial = kind == 0 ? new SpanChoice(t, c.prose(), g) : new SpanChoice(c.record(), t, g);
                    double f = spanF1(scored, probabilities, trial);
                    if (f > f1) {
                        f1 = f;
                        c = trial;
                    }
                }
            }
            if (f1 > best) {
                best = f1;
                choice = c;
            }
        }
        return choice;
    }

    private static double spanF1(List<RecordResult> scored, List<double[]> probabilities, SpanChoice c) {
        int k = 0;
        List<RecordResult> rs = new ArrayList<>();
        for (RecordResult r : scored) {
            List<SentenceResult> ss = new ArrayList<>();
            for (SentenceResult s : r.sentences()) {
                ss.add(s.withSpans(Localisation.spans(r.record().response(), s.tokens(), probabilities.get(k++),
                        c.record(), c.prose(), c.granularity(), s.start(), s.end())));
            }
            rs.add(new RecordResult(r.record(), ss, r.probability(), r.predicted()));
        }
        return Evaluation.report(rs).spanLevel().f1();
    }

    /** Up to 100 thresholds at quantiles of the scores. */
    private static double[] candidates(double[] scores) {
        double[] s = scores.clone();
        Arrays.sort(s);
        TreeSet<Double> out = new TreeSet<>();
        for (int q = 1; q < 100; q++) {
            if (s.length > 0) {
                out.add(s[Math.min(s.length - 1, q * s.length / 100)]);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double quantile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return 0;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v[(int) Math.min(v.length - 1, Math.floor(q * v.length))];
    }

    /** Out-of-fold predictions: each fold scored by a combiner fitted on the other folds' sources. */
    public static List<RecordResult> crossValidate(List<RecordResult> data, FeatureSets features, int folds,
                                                   long seed, Thresholds base) {
        List<String> sources = new ArrayList<>(new TreeSet<>(data.stream().map(r -> r.record().source()).toList()));
        Collections.shuffle(sources, new Random(seed));
        java.util.Map<String, Integer> fold = new java.util.HashMap<>();
        for (int i = 0; i < sources.size(); i++) {
            fold.put(sources.get(i), i % folds);
        }
        RecordResult[] out = new RecordResult[data.size()];
        for (int k = 0; k < folds; k++) {
            final int held = k;
            List<RecordResult> train = data.stream().filter(r -> fold.get(r.record().source()) != held).toList();
            Combiner c = fit(train, features, "", "cv", base);
            for (int i = 0; i < data.size(); i++) {
                if (fold.get(data.get(i).record().source()) == held) {
                    out[i] = Evaluation.rescore(List.of(data.get(i)), c).get(0);
                }
            }
        }
        return Arrays.asList(out);
    }
}
