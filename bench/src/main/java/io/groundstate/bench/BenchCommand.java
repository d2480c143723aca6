package io.groundstate.bench;

import io.groundstate.streams.cli.CommandPlugin;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code groundstate bench …}: each part of the pipeline against what a user could run instead, in one process. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks, each against a baseline measured in the same run (docs/benchmarks.md).",
                "Figures from different runs of a shared or busy machine are not comparable; ratios within a run are."},
        subcommands = {EncoderBench.class, MonitorBench.class, StreamingBench.class, LatencyBench.class,
                ReplayBench.class, SoakBench.class, RecoveryBench.class, VectorsBench.class})
public final class BenchCommand implements CommandPlugin, Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a benchmark is required: encoder, monitor, streaming, latency, replay or soak");
    }
}
