package io.groundstate.bench;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.cli.EncoderOptions;
import io.groundstate.streams.cli.ReplayCommand;
import io.groundstate.streams.kafka.MonitorApp;
import io.groundstate.streams.replay.ArchivedRecord;
import io.groundstate.streams.replay.MemoryArchive;
import io.groundstate.streams.replay.Replayer;
import io.groundstate.streams.topology.EventMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Measures replay throughput: labeled records are simulated into one time-ordered event log in",
                "memory and replayed under each scenario in this process, each with a fresh encoder and cache.",
                "Prints answers per second and the ratio to the first scenario (the baseline) as a Markdown table."})
public final class ReplayBench implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Labeled records, JSON lines (RAGTruth format).")
    Path data;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N records (0: all).")
    int limit;

    @Option(names = "--scenario",
            paramLabel = "NAME=MODEL:BATCH:PERTURBATION_TOKENS:WORKERS[:THREADS_PER_RUN[:occlusion|reembed]]",
            description = "A configuration to measure; repeatable, the first is the baseline (default: the "
                    + "previous defaults, then the current ones). THREADS_PER_RUN is the CPU threads of one model "
                    + "run (default 1: one run per core at once; before, one run used every core); the last field "
                    + "is how perturbations are embedded (default occlusion).")
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--repeat", defaultValue = "1",
            description = "Rounds; scenarios alternate within a round and the median is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    record Scenario(String name, String model, int batch, int perturbation, int workers, int threadsPerRun,
                    boolean reembed) {
        static Scenario parse(String s) {
            String[] nv = s.split("=", 2);
            String[] p = nv.length == 2 ? nv[1].split(":") : new String[0];
            if (p.length < 4 || p.length > 6 || (p.length == 6 && !p[5].matches("occlusion|reembed"))) {
                throw new IllegalArgumentException("--scenario: expected NAME=MODEL:BATCH:PERTURBATION_TOKENS:WORKERS"
                        + "[:THREADS_PER_RUN[:occlusion|reembed]], got " + s);
            }
            return new Scenario(nv[0], p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
                    p.length >= 5 ? Integer.parseInt(p[4]) : 1, p.length == 6 && p[5].equals("reembed"));
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Scenario> list = new ArrayList<>();
        if (scenarios.isEmpty()) {
            list.add(new Scenario("issue 3 defaults (fp32 MiniLM, batch 32, 8 re-embedded perturbations, 1 worker, "
                    + "one run on all cores)", "all-minilm-l6-v2", 32, 8, 1, Runtime.getRuntime().availableProcessors(),
                    true));
            list.add(new Scenario("current defaults", EncoderOptions.DEFAULT_MODEL, EncoderOptions.DEFAULT_BATCH,
                    MonitorConfig.defaults().perturbationTokens(), ReplayCommand.DEFAULT_WORKERS, 1,
                    MonitorConfig.defaults().reembed()));
        } else {
            scenarios.forEach(s -> list.add(Scenario.parse(s)));
        }
        List<LabeledRecord> records = LabeledRecord.read(data);
        if (limit > 0 && records.size() > limit) {
            records = records.subList(0, limit);
        }
        List<MonitorEvent> events = Simulator.interleaved(records);
        List<byte[]> log = events.stream().map(e -> EventCodec.toJsonBytes(EventMapping.toSchema(e))).toList();
        System.err.printf("bench replay: %d answers, %d events, %d scenarios x %d rounds%n", records.size(), log.size(),
                list.size(), repeat);

        double[][] rates = new double[list.size()][repeat];
        long[][] flagged = new long[list.size()][2];
        for (int round = 0; round < repeat; round++) {
            for (int i = 0; i < list.size(); i++) {
                Scenario s = list.get(round % 2 == 0 ? i : list.size() - 1 - i);
                int at = list.indexOf(s);
                long[] counts = new long[2];
                double secs = runOnce(s, log, counts);
                rates[at][round] = records.size() / secs;
                flagged[at] = counts;
                System.err.printf("  round %d %-40s %.2f answers/s%n", round + 1, s.name(), rates[at][round]);
            }
        }
        System.out.printf("| scenario | model | batch | perturbation | workers | threads per run | answers/s | "
                + "ratio | hallucinated verdicts | alerts |%n|---|---|---|---|---|---|---|---|---|---|%n");
        double base = Stats.median(rates[0]);
        for (int i = 0; i < list.size(); i++) {
            Scenario s = list.get(i);
            double m = Stats.median(rates[i]);
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %d tokens, %s | %d | %d | %.2f | %.2fx | %d | %d |%n",
                    s.name(), s.model(), s.batch(), s.perturbation(), s.reembed() ? "re-embedded" : "occluded",
                    s.workers(), s.threadsPerRun(), m, m / base, flagged[i][0], flagged[i][1]);
        }
        return 0;
    }

    private double runOnce(Scenario s, List<byte[]> log, long[] counts) throws Exception {
        Combiner combiner = Combiner.shipped();
        MonitorConfig config = MonitorConfig.defaults().withPerturbationTokens(s.perturbation()).withReembed(s.reembed());
        try (Encoder enc = MonitorApp.openEncoder(s.model(), device, s.batch(), s.threadsPerRun())) {
            enc.embed(List.of("warm-up sentence for the encoder.", "another one")); // session start-up is not replay
            Replayer replayer = new Replayer(new Replayer.Settings(s.workers(), 120_000, 300_000),
                    clock -> new RequestMonitor(enc, combiner, config, clock));
            long t0 = System.nanoTime();
            replayer.run(new MemoryArchive(log), new Replayer.Sink() {
                @Override
                public void deadLetter(ArchivedRecord record, String stage, String code, String reason) {
                }

                @Override
                public void output(MonitorOutput o, Replayer.FinishedRequest f) {
                    if (o instanceof MonitorOutput.Verdict v && v.hallucinated()) {
                        counts[0]++;
                    } else if (o instanceof MonitorOutput.Alert) {
                        counts[1]++;
                    }
                }
            }, () -> { });
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
