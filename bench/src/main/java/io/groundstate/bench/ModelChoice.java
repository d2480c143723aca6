package io.groundstate.bench;

import io.groundstate.streams.cli.EncoderOptions;
import picocli.CommandLine.Option;

/** Which encoder a benchmark runs, and where: the options every benchmark of the whole pipeline shares. */
public final class ModelChoice {
    @Option(names = "--model", defaultValue = EncoderOptions.DEFAULT_MODEL, description = "Encoder (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "Print one JSON object instead of a Markdown table.")
    boolean json;
}
