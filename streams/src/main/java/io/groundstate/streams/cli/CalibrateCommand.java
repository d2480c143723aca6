package io.groundstate.streams.cli;

import io.groundstate.detectors.eval.Calibrator;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.eval.Evaluation;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.monitor.RequestMonitor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Fits the combiner's weights and the alert thresholds on labeled records and writes them",
                "as a weights file for --weights (or to ship as the default)."})
public final class CalibrateCommand implements Callable<Integer> {
    @Mixin
    EncoderOptions encoder;

    @Option(names = "--data", required = true, description = "Labeled records, JSON lines (RAGTruth format).")
    Path data;

    @Option(names = "--out", required = true, description = "Where to write the weights JSON.")
    Path out;

    @Option(names = "--features", split = ",", description = "Sentence features (default: all): ${COMPLETION-CANDIDATES}",
            completionCandidates = FeatureNames.class)
    List<String> features;

    @Option(names = "--response-features", split = ",",
            description = "Response features (default: the shipped set): ${COMPLETION-CANDIDATES}",
            completionCandidates = ResponseFeatureNames.class)
    List<String> responseFeatures;

    @Option(names = "--cv", defaultValue = "5", description = "Also report K-fold cross-validation by source (0: skip; default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the fold assignment (default: ${DEFAULT-VALUE}).")
    long seed;

    static final class ResponseFeatureNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Features.RESPONSE_NAMES.iterator();
        }
    }

    static final class FeatureNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Features.NAMES.iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        Calibrator.FeatureSets chosen = new Calibrator.FeatureSets(
                features == null ? Features.NAMES : features,
                responseFeatures == null ? Features.SHIPPED_RESPONSE : responseFeatures);
        chosen.sentence().forEach(Features::index);
        chosen.response().forEach(n -> Features.index(Features.RESPONSE_NAMES, n));
        if (folds == 1 || folds < 0) {
            throw new IllegalArgumentException("--cv must be 0 or at least 2");
        }
        List<LabeledRecord> records = LabeledRecord.read(data);
        Combiner prior = encoder.combiner();
        List<Evaluation.RecordResult> results;
        String encoderId;
        try (Encoder enc = encoder.openEncoder()) {
            encoderId = enc.id();
            RequestMonitor monitor = new RequestMonitor(enc, prior, encoder.monitorConfig(), () -> 0L);
            results = Evaluation.run(records, monitor, Progress.forStderr("calibrate", "responses", records.size()));
        }
        if (folds > 0) {
            Evaluation.Report cv = Evaluation.report(Calibrator.crossValidate(results, chosen, folds, seed,
                    prior.thresholds()));
            ReportJson.table(System.out, folds + "-fold CV by source", cv);
        }
        Combiner fitted = Calibrator.fit(results, chosen, encoderId,
                data.getFileName() + " (" + records.size() + " responses)", prior.thresholds());
        fitted.save(out);
        System.out.println("weights written to " + out + ": thresholds " + fitted.thresholds());
        System.out.println("sentence weights (standardised): " + Arrays.toString(fitted.weights().sentence().weights()));
        System.out.println("response weights (standardised): " + Arrays.toString(fitted.weights().response().weights()));
        return 0;
    }
}
