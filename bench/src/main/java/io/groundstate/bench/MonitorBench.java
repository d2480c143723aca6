package io.groundstate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.streams.cli.EncoderOptions;
import io.groundstate.streams.kafka.MonitorApp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Answers and sentences per second through the per-request monitor alone (no Kafka), one answer after another
 * on each thread as a stream thread runs them, with and without perturbation, each with a fresh encoder cache.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Per-request monitor throughput: every answer's simulated events (request, context chunks,",
                "token deltas, finish) through RequestMonitor on one thread (or --threads), with the encoder stack the streaming app",
                "uses (cache, coalescer, ONNX); a fresh encoder and cache per scenario and round. Scenarios: no",
                "perturbation, perturbation by occlusion (the default), the default without the model's word table,",
                "perturbation by re-embedding; and the default detectors with a hashing encoder, which leaves the Java",
                "detectors' own cost."})
public final class MonitorBench implements Callable<Integer> {
    @Mixin
    Corpus corpus = new Corpus();

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--scenarios", split = ",", defaultValue = "none,occlusion,no-table,reembed,hashing",
            description = "Which scenarios, by key: none, occlusion, no-table, reembed, hashing (default: all).")
    List<String> scenarioKeys;

    @Option(names = "--threads", split = ",", defaultValue = "1",
            description = "Monitor threads sharing one encoder stack, as stream threads do, each taking every Nth answer; "
                    + "a list runs every scenario at each (default: ${DEFAULT-VALUE}).")
    List<Integer> threadCounts;

    record Scenario(String key, String name, int perturbationTokens, boolean reembed, boolean fakeEncoder, boolean wordTable,
                    int threads) {
        Scenario withThreads(int n) {
            return new Scenario(key, n == 1 ? name : name + ", " + n + " threads", perturbationTokens, reembed, fakeEncoder,
                    wordTable, n);
        }
    }

    @Override
    public Integer call() throws Exception {
        int tokens = MonitorConfig.defaults().perturbationTokens();
        List<Scenario> scenarios = List.of(
                new Scenario("none", "no perturbation", 0, false, false, true, 1),
                new Scenario("occlusion", "perturbation by occlusion, " + tokens + " tokens (default)", tokens, false, false, true, 1),
                new Scenario("no-table", "the default without the word table (every word a model run)", tokens, false, false, false, 1),
                new Scenario("reembed", "perturbation by re-embedding, " + tokens + " tokens", tokens, true, false, true, 1),
                new Scenario("hashing", "default detectors, hashing encoder (Java alone)", tokens, false, true, true, 1))
                .stream().filter(s -> scenarioKeys.contains(s.key()))
                .flatMap(s -> threadCounts.stream().map(s::withThreads)).toList();
        if (threadCounts.stream().anyMatch(n -> n < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--threads must be at least 1");
        }
        if (scenarios.size() != scenarioKeys.size() * threadCounts.size()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "unknown scenario in "
                    + scenarioKeys + "; the keys are none, occlusion, no-table, reembed, hashing");
        }
        List<LabeledRecord> answers = corpus.answers();
        List<List<MonitorEvent>> events = answers.stream().map(Simulator::events).toList();
        int eventCount = events.stream().mapToInt(List::size).sum();
        System.err.printf("bench monitor: %d answers, %d events from %s, %d scenarios x %d rounds%n", answers.size(),
                eventCount, corpus.describe(), scenarios.size(), rounds);

        double[][] seconds = new double[scenarios.size()][rounds];
        long[] sentences = new long[scenarios.size()];
        long[] alerts = new long[scenarios.size()];
        for (int round = 0; round < rounds; round++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < scenarios.size(); i++) {
                order.add(i);
            }
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (int i : order) {
                Scenario s = scenarios.get(i);
                long[] counts = new long[2];
                seconds[i][round] = runOnce(s, events, counts);
                sentences[i] = counts[0];
                alerts[i] = counts[1];
                System.err.printf(Locale.ROOT, "  round %d %-55s %.2f answers/s%n", round + 1, s.name(),
                        answers.size() / seconds[i][round]);
            }
        }

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        out.put("benchmark", "monitor");
        out.set("machine", Machine.describe(mapper));
        out.put("data", corpus.describe());
        out.put("answers", answers.size());
        out.put("events", eventCount);
        out.put("model", choice.model);
        out.put("rounds", rounds);
        ArrayNode rows = out.putArray("scenarios");
        for (int i = 0; i < scenarios.size(); i++) {
            double secs = Stats.median(seconds[i]);
            ObjectNode r = rows.addObject();
            r.put("scenario", scenarios.get(i).name());
            r.put("threads", scenarios.get(i).threads());
            r.put("answers_per_s", Math.round(answers.size() / secs * 100) / 100.0);
            r.put("sentences_per_s", Math.round(sentences[i] / secs * 10) / 10.0);
            r.put("events_per_s", Math.round(eventCount / secs));
            r.put("ms_per_answer", Math.round(secs * 1000 / answers.size() * 10) / 10.0);
            r.put("sentences", sentences[i]);
            r.put("alerts", alerts[i]);
        }
        if (choice.json) {
            System.out.println(mapper.writeValueAsString(out));
        } else {
            System.out.println("| scenario | answers/s | sentences/s | events/s | ms per answer | alerts |");
            System.out.println("|---|---|---|---|---|---|");
            for (var r : rows) {
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f | %d | %.1f | %d |%n", r.get("scenario").asText(),
                        r.get("answers_per_s").asDouble(), r.get("sentences_per_s").asDouble(),
                        r.get("events_per_s").asLong(), r.get("ms_per_answer").asDouble(), r.get("alerts").asLong());
            }
        }
        return 0;
    }

    private double runOnce(Scenario s, List<List<MonitorEvent>> events, long[] counts) {
        MonitorConfig config = MonitorConfig.defaults().withPerturbationTokens(s.perturbationTokens()).withReembed(s.reembed());
        try (Encoder encoder = s.fakeEncoder()
                ? MonitorApp.shared(new HashingEncoder(), EncoderOptions.DEFAULT_BATCH)
                : MonitorApp.openEncoder(choice.model, choice.device, EncoderOptions.DEFAULT_BATCH, 1, s.wordTable())) {
            encoder.embed(List.of("warm-up sentence for the encoder.", "another one")); // session start-up
            RequestMonitor monitor = new RequestMonitor(encoder, Combiner.shipped(), config, System::currentTimeMillis);
            ExecutorService pool = Executors.newFixedThreadPool(s.threads());
            try {
                List<Callable<long[]>> shares = new ArrayList<>();
                for (int t = 0; t < s.threads(); t++) {
                    int first = t;
                    shares.add(() -> runShare(monitor, events, first, s.threads()));
                }
                long t0 = System.nanoTime();
                for (Future<long[]> share : pool.invokeAll(shares)) {
                    long[] c = share.get();
                    counts[0] += c[0];
                    counts[1] += c[1];
                }
                return (System.nanoTime() - t0) / 1e9;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("scenario " + s.name() + " failed", e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Every {@code step}th answer from {@code first}, one after another; the sentence and alert counts. */
    private static long[] runShare(RequestMonitor monitor, List<List<MonitorEvent>> events, int first, int step) {
        long[] counts = new long[2];
        for (int a = first; a < events.size(); a += step) {
            RequestState state = new RequestState();
            for (MonitorEvent e : events.get(a)) {
                for (MonitorOutput o : monitor.process(state, e)) {
                    if (o instanceof MonitorOutput.SpanScore) {
                        counts[0]++;
                    } else if (o instanceof MonitorOutput.Alert) {
                        counts[1]++;
                    }
                }
            }
        }
        return counts;
    }
}
