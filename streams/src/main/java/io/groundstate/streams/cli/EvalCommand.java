package io.groundstate.streams.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.eval.Calibrator;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.eval.Evaluation;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import io.groundstate.detectors.monitor.RequestMonitor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Replays labeled records as the event streams an instrumented app would send, runs the monitor,",
                "and reports response-level precision, recall, F1 and AUROC and span-level (character overlap)",
                "precision, recall and F1, overall and per task type.",
                "With --cv K the weights are refitted K times, each time on the other folds' sources, so no",
                "record is scored by weights fitted on it."})
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    EncoderOptions encoder;

    @Option(names = "--data", required = true, description = "Labeled records, JSON lines (RAGTruth format).")
    Path data;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
    boolean json;

    @Option(names = "--cv", defaultValue = "0", description = "Cross-validate by source over K folds (0: score with the given weights).")
    int folds;

    @Option(names = "--ablation", description = "With --cv: add each detector family in turn and report each.")
    boolean ablation;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N records (0: all).")
    int limit;

    @Option(names = "--dump", description = "Also write every sentence's features, label and attributions as JSON lines (for analysis).")
    Path dump;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the fold assignment (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (folds == 1 || folds < 0) {
            throw new IllegalArgumentException("--cv must be 0 or at least 2");
        }
        if (ablation && folds == 0) {
            throw new IllegalArgumentException("--ablation needs --cv K");
        }
        PrintStream out = System.out;
        List<LabeledRecord> records = LabeledRecord.read(data);
        if (limit > 0 && records.size() > limit) {
            records = records.subList(0, limit);
        }
        Combiner combiner = encoder.combiner();
        List<Evaluation.RecordResult> results;
        try (Encoder enc = encoder.openEncoder()) {
            EncoderOptions.warnOnEncoderMismatch(enc, combiner);
            RequestMonitor monitor = new RequestMonitor(enc, combiner, encoder.monitorConfig(), () -> 0L);
            results = Evaluation.run(records, monitor, Progress.forStderr("eval", "responses", records.size()));
        }
        if (dump != null) {
            FeatureDump.write(dump, results);
        }
        Set<AlertKind> published = encoder.monitorConfig().alertKinds();
        Evaluation.Report baseline = Evaluation.flagEverything(records);
        if (folds == 0) {
            String fittedOn = String.valueOf(combiner.weights().fittedOn());
            if (fittedOn.startsWith(data.getFileName().toString())) {
                System.err.println("note: these weights were fitted on " + fittedOn + ", so these figures are in-sample;"
                        + " use --cv 5 for figures on held-out sources");
            }
            // cross-validation decides its own alerts with each fold's thresholds (Evaluation.rescore)
            Evaluation.Report report = Evaluation.report(Evaluation.withAlerts(results, combiner.thresholds()), published);
            if (json) {
                out.println(ReportJson.JSON.writeValueAsString(ReportJson.toJson(report)));
            } else {
                ReportJson.table(out, "groundstate, weights " + combiner.version() + " (" + combiner.weights().fittedOn() + ")", report);
                ReportJson.table(out, "flag everything (baseline)", baseline);
            }
            return 0;
        }
        List<Calibrator.FeatureSets> sets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (ablation) {
            List<String> acc = new ArrayList<>();
            List<String> racc = new ArrayList<>();
            for (int i = 0; i < Features.FAMILIES.size(); i++) {
                acc.addAll(Features.FAMILIES.get(i));
                racc.addAll(Features.RESPONSE_FAMILIES.get(i));
                sets.add(new Calibrator.FeatureSets(List.copyOf(acc), List.copyOf(racc)));
                names.add(Features.FAMILY_NAMES.get(i));
            }
        }
        sets.add(Calibrator.FeatureSets.shipped());
        names.add("shipped feature sets");
        ObjectNode last = null;
        ArrayNode rows = ReportJson.JSON.createArrayNode();
        for (int i = 0; i < sets.size(); i++) {
            List<Evaluation.RecordResult> oof = Calibrator.crossValidate(results, sets.get(i), folds, seed,
                    combiner.thresholds());
            Evaluation.Report report = Evaluation.report(oof, published);
            last = ReportJson.toJson(report);
            ObjectNode row = last.deepCopy();
            row.put("features", names.get(i));
            rows.add(row);
            if (!json) {
                ReportJson.table(out, names.get(i) + " (" + folds + "-fold CV by source)", report);
            }
        }
        if (json) {
            ObjectNode o = last;
            o.put("cross_validation_folds", folds);
            if (ablation) {
                o.set("ablation", rows);
            }
            out.println(ReportJson.JSON.writeValueAsString(o));
        } else {
            ReportJson.table(out, "flag everything (baseline)", baseline);
        }
        return 0;
    }
}
