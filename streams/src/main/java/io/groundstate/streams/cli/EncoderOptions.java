package io.groundstate.streams.cli;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.kafka.MonitorApp;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by every command that scores: which encoder, where it runs, which weights. */
public final class EncoderOptions {
    public static final String DEFAULT_MODEL = EncoderSpec.DEFAULT_MODEL;
    public static final int DEFAULT_BATCH = 8;

    @Option(names = "--model", defaultValue = DEFAULT_MODEL,
            description = "Encoder: all-minilm-l6-v2-q (int8), all-minilm-l6-v2, bge-small-en-v1.5-q, or the path of an .onnx file with "
                    + "tokenizer.json beside it (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--device", defaultValue = "auto",
            description = "auto, cpu, cuda or cuda:N; auto and cuda fall back to CPU with a warning (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-size", defaultValue = "" + DEFAULT_BATCH, description = "Sentences per encoder run (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--weights", description = "Combiner weights JSON from calibrate (default: the shipped weights).")
    Path weights;

    @Option(names = "--perturbation-tokens", defaultValue = "8",
            description = "Content tokens removed one at a time per sentence; 0 turns perturbation off (default: ${DEFAULT-VALUE}).")
    int perturbationTokens;

    @Option(names = "--perturbation", defaultValue = "occlusion",
            description = "occlusion: leave each token out of the mean pool of the sentence's own run (no extra run); "
                    + "reembed: re-embed the sentence without it (one run per token) (default: ${DEFAULT-VALUE}).")
    String perturbation;

    @Option(names = "--max-token-deltas", defaultValue = "" + MonitorConfig.Limits.DEFAULT_MAX_TOKEN_DELTAS,
            description = "Token deltas accepted per request; later ones become dead letters, as "
                    + "groundstate.request.max.token.deltas does (default: ${DEFAULT-VALUE}).")
    int maxTokenDeltas;

    @Option(names = "--max-chunks", defaultValue = "" + MonitorConfig.Limits.DEFAULT_MAX_CHUNKS,
            description = "Context chunks accepted per request (default: ${DEFAULT-VALUE}).")
    int maxChunks;

    @Option(names = "--max-text-bytes", defaultValue = "" + MonitorConfig.Limits.DEFAULT_MAX_TEXT_BYTES,
            description = "UTF-8 bytes of prompt, context and token text accepted per request (default: ${DEFAULT-VALUE}).")
    long maxTextBytes;

    Encoder openEncoder() {
        return MonitorApp.openEncoder(model, device, batchSize);
    }

    /**
     * Rankings carry over to another encoder, decision thresholds do not (measured: bge-small with
     * MiniLM's weights keeps its AUROC and loses half its recall), so say so.
     */
    static void warnOnEncoderMismatch(Encoder encoder, Combiner combiner) {
        String fittedFor = combiner.weights().encoder();
        if (fittedFor != null && !fittedFor.isBlank() && !fittedFor.equals(encoder.id())) {
            System.err.println("warning: the weights were fitted for " + fittedFor + ", not " + encoder.id()
                    + ": scores still rank, but thresholds may be off; run calibrate with this encoder");
        }
    }

    Combiner combiner() {
        return MonitorApp.combiner(weights == null ? null : weights.toString());
    }

    @Option(names = "--alert-kinds", split = ",", defaultValue = "UNGROUNDED_SPAN",
            description = "Alert kinds published: UNGROUNDED_SPAN, FRAGILE_STATE, DRIFT (default: ${DEFAULT-VALUE}).")
    List<String> alertKinds;

    MonitorConfig monitorConfig() {
        if (perturbationTokens < 0) {
            throw new IllegalArgumentException("--perturbation-tokens must be 0 or more");
        }
        if (!perturbation.equals("occlusion") && !perturbation.equals("reembed")) {
            throw new IllegalArgumentException("--perturbation must be occlusion or reembed, not " + perturbation);
        }
        return MonitorConfig.defaults().withPerturbationTokens(perturbationTokens).withReembed(perturbation.equals("reembed"))
                .withLimits(new MonitorConfig.Limits(maxTokenDeltas, maxChunks, maxTextBytes))
                .withAlertKinds(GroundstateConfig.parseAlertKinds(alertKinds, "--alert-kinds"));
    }
}
