package io.groundstate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.streams.config.GroundstateConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How long a monitor killed with SIGKILL takes to process again once restarted on the same state directory, on a
 * real broker in another process (this one), while answers stream in. The shipped settings (a static member whose
 * id is kept in the state directory) against a dynamic member with Kafka's 45 s session, which is what {@code run}
 * did before: the baseline, in the same run.
 */
@Command(name = "recovery", mixinStandardHelpOptions = true,
        description = {"SIGKILL and restart a monitor in its own JVM while answers stream, several times, and time",
                "how long each restart takes to reach RUNNING and to publish again (read_committed); the shipped",
                "settings against a dynamic group member (the baseline). Fails when a request gets no verdict or two."})
public final class RecoveryBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUNNING_LINE = "groundstate is running";

    /** What each contender changes over the shipped settings. */
    enum Membership {
        STATIC(Map.of()),
        DYNAMIC(Map.of(GroundstateConfig.STATIC_MEMBERSHIP, false, "session.timeout.ms", 45_000));

        final Map<String, Object> overrides;

        Membership(Map<String, Object> overrides) {
            this.overrides = overrides;
        }
    }

    @Mixin
    Corpus corpus = new Corpus();

    @Mixin
    StreamingBench.Tuning tuning = new StreamingBench.Tuning();

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--kills", defaultValue = "5", description = "SIGKILLs per contender (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--contenders", defaultValue = "STATIC,DYNAMIC", split = ",",
            description = "Which to run, in order: STATIC (shipped), DYNAMIC (the baseline) (default: ${DEFAULT-VALUE}).")
    List<Membership> contenders;

    @Option(names = "--rate", defaultValue = "2", description = "Answers started per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--steady-seconds", defaultValue = "8",
            description = "Seconds the monitor publishes after a restart before the next SIGKILL (default: ${DEFAULT-VALUE}).")
    int steadySeconds;

    @Option(names = "--heap", defaultValue = "1536m", description = "The monitor JVM's -Xmx (default: ${DEFAULT-VALUE}).")
    String heap;

    /** One restart: seconds from the new JVM's start to RUNNING and to its first output read back. */
    record Restart(double toRunningS, double toOutputS) {
    }

    @Override
    public Integer call() throws Exception {
        if (kills < 1 || rate <= 0 || steadySeconds < 0) {
            throw new IllegalArgumentException("--kills must be 1 or more, --rate positive, --steady-seconds 0 or more");
        }
        List<LabeledRecord> answers = corpus.answers();
        ObjectNode out = JSON.createObjectNode();
        out.put("benchmark", "recovery");
        out.set("machine", Machine.describe(JSON));
        out.put("data", corpus.describe());
        out.put("model", choice.model);
        out.set("kafka", tuning.describe(JSON));
        out.put("kills", kills);
        out.put("rate_answers_per_s", rate);
        ArrayNode rows = out.putArray("contenders");
        List<String> failures = new ArrayList<>();
        Map<Membership, double[]> medians = new HashMap<>();
        try (Rig rig = new Rig()) {
            for (Membership m : contenders) {
                ObjectNode row = rows.addObject();
                row.put("contender", m.name().toLowerCase(Locale.ROOT));
                row.set("overrides", JSON.valueToTree(m.overrides));
                List<Restart> restarts = run(rig, m, answers, row, failures);
                ArrayNode each = row.putArray("restarts");
                restarts.forEach(r -> each.addObject().put("to_running_s", round(r.toRunningS()))
                        .put("to_output_s", round(r.toOutputS())));
                double[] running = restarts.stream().mapToDouble(Restart::toRunningS).toArray();
                double[] output = restarts.stream().mapToDouble(Restart::toOutputS).toArray();
                row.put("to_running_median_s", round(Stats.median(running)));
                row.put("to_running_worst_s", round(Stats.quantile(running, 1)));
                row.put("to_output_median_s", round(Stats.median(output)));
                row.put("to_output_worst_s", round(Stats.quantile(output, 1)));
                medians.put(m, new double[] {Stats.median(running), Stats.median(output)});
            }
        }
        if (medians.containsKey(Membership.STATIC) && medians.containsKey(Membership.DYNAMIC)) {
            out.put("dynamic_vs_static_to_output", round(medians.get(Membership.DYNAMIC)[1] / medians.get(Membership.STATIC)[1]));
        }
        out.put("passed", failures.isEmpty());
        out.set("failures", JSON.valueToTree(failures));
        if (choice.json) {
            System.out.println(JSON.writeValueAsString(out));
        } else {
            print(out);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private List<Restart> run(Rig rig, Membership m, List<LabeledRecord> answers, ObjectNode row, List<String> failures)
            throws Exception {
        String prefix = rig.nextPrefix("recovery-" + m.name().toLowerCase(Locale.ROOT));
        Map<String, Object> overrides = MonitorProcess.overrides(tuning, choice);
        overrides.putAll(m.overrides);
        Map<String, Object> settings = rig.settings(prefix, overrides);
        GroundstateConfig config = new GroundstateConfig(settings);
        Path dir = Files.createTempDirectory("groundstate-recovery-");
        Path file = MonitorProcess.writeConfig(dir.resolve("monitor.properties"), settings,
                "bench recovery " + m + ": the monitor's configuration");
        Path log = dir.resolve("monitor.log");
        System.err.printf(Locale.ROOT, "bench recovery %s: %d SIGKILLs, monitor log %s%n", m, kills, log);

        ConcurrentHashMap<String, AtomicInteger> verdicts = new ConcurrentHashMap<>();
        AtomicLong lastOutputNanos = new AtomicLong();
        AtomicLong restartedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstOutputAfterRestart = new AtomicLong();
        AtomicInteger started = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        String verdictTopic = config.getString(GroundstateConfig.TOPIC_VERDICTS);
        List<Restart> restarts = new ArrayList<>();
        Process monitor = MonitorProcess.start(file, heap, log);
        try {
            awaitLine(log, monitor, 1, TimeUnit.MINUTES.toNanos(3));
            try (Rig.Reader reader = rig.reader(List.of(config.getString(GroundstateConfig.TOPIC_SPANS),
                    config.getString(GroundstateConfig.TOPIC_ALERTS), verdictTopic), r -> {
                        lastOutputNanos.set(r.readAtNanos());
                        if (r.readAtNanos() > restartedAt.get()) {
                            firstOutputAfterRestart.compareAndSet(0, r.readAtNanos());
                        }
                        if (r.record().topic().equals(verdictTopic)) {
                            verdicts.computeIfAbsent(r.record().key(), k -> new AtomicInteger()).incrementAndGet();
                        }
                    });
                 KafkaProducer<String, byte[]> producer = rig.producer()) {
                Thread app = new Thread(() -> produce(producer, config.getString(GroundstateConfig.TOPIC_EVENTS),
                        prefix, answers, producing, started), "recovery-app");
                app.start();
                for (int k = 1; k <= kills; k++) {
                    awaitNanos(() -> lastOutputNanos.get() > 0, monitor, log, TimeUnit.MINUTES.toNanos(3));
                    Thread.sleep(TimeUnit.SECONDS.toMillis(steadySeconds)); // steady publishing before the fault
                    monitor.destroyForcibly(); // SIGKILL: no close, no commit, its transaction left open
                    monitor.waitFor(30, TimeUnit.SECONDS);
                    firstOutputAfterRestart.set(0);
                    long t0 = System.nanoTime();
                    restartedAt.set(t0);
                    monitor = MonitorProcess.start(file, heap, log);
                    awaitLine(log, monitor, k + 1, TimeUnit.MINUTES.toNanos(5));
                    double toRunning = (System.nanoTime() - t0) / 1e9;
                    awaitNanos(() -> firstOutputAfterRestart.get() > 0, monitor, log, TimeUnit.MINUTES.toNanos(3));
                    Restart r = new Restart(toRunning, (firstOutputAfterRestart.get() - t0) / 1e9);
                    restarts.add(r);
                    System.err.printf(Locale.ROOT, "  %s kill %d: RUNNING after %.1f s, publishing after %.1f s%n",
                            m, k, r.toRunningS(), r.toOutputS());
                }
                producing.set(false);
                app.join();
                producer.flush();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (verdicts.size() < started.get() && System.nanoTime() < deadline && monitor.isAlive()) {
                    Thread.sleep(200); // polling the reader's count
                }
                Thread.sleep(3_000); // a verdict twice would come after the first
            }
        } finally {
            monitor.destroy();
            if (!monitor.waitFor(60, TimeUnit.SECONDS)) {
                monitor.destroyForcibly();
            }
        }
        long twice = verdicts.values().stream().filter(c -> c.get() > 1).count();
        row.put("requests", started.get());
        row.put("verdicts", verdicts.size());
        row.put("requests_with_two_verdicts", twice);
        if (verdicts.size() != started.get()) {
            failures.add(m + ": " + (started.get() - verdicts.size()) + " of " + started.get() + " requests got no verdict");
        }
        if (twice > 0) {
            failures.add(m + ": " + twice + " requests got two verdicts");
        }
        return restarts;
    }

    /** Answers started at {@link #rate}, their events at the pace of their event times, until told to stop. */
    private void produce(KafkaProducer<String, byte[]> producer, String topic, String prefix, List<LabeledRecord> answers,
                         AtomicBoolean producing, AtomicInteger started) {
        PriorityQueue<Events.Scheduled> due = new PriorityQueue<>(Comparator.comparingLong(Events.Scheduled::atNanos));
        long spacing = (long) (1e9 / rate);
        long t0 = System.nanoTime();
        while (producing.get() || !due.isEmpty()) {
            long now = System.nanoTime();
            long nextStart = t0 + started.get() * spacing;
            if (producing.get() && nextStart <= now) {
                int n = started.getAndIncrement();
                LabeledRecord a = answers.get(n % answers.size());
                due.addAll(Events.schedule(Simulator.events(a), prefix + "-" + n + "-" + a.id(), nextStart));
            } else if (!due.isEmpty() && due.peek().atNanos() <= now) {
                due.poll().send(producer, topic);
            } else {
                long wake = Math.min(producing.get() ? nextStart : Long.MAX_VALUE,
                        due.isEmpty() ? now + 10_000_000L : due.peek().atNanos());
                LockSupport.parkNanos(Math.max(0, wake - now));
            }
        }
    }

    private static void awaitLine(Path log, Process monitor, int times, long timeoutNanos) throws InterruptedException {
        awaitNanos(() -> count(log) >= times, monitor, log, timeoutNanos);
    }

    private static void awaitNanos(BooleanSupplier done, Process monitor, Path log, long timeoutNanos)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!done.getAsBoolean()) {
            if (!monitor.isAlive()) {
                throw new IllegalStateException("the monitor exited (" + monitor.exitValue() + "), see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for the monitor, see " + log);
            }
            Thread.sleep(20); // polling a condition; the resolution of the figures
        }
    }

    private static int count(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            int n = 0;
            for (int at = s.indexOf(RUNNING_LINE); at >= 0; at = s.indexOf(RUNNING_LINE, at + 1)) {
                n++;
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static void print(ObjectNode out) {
        System.out.printf(Locale.ROOT, "bench recovery: %d SIGKILLs per contender, %.1f answers/s%n%n",
                out.get("kills").asInt(), out.get("rate_answers_per_s").asDouble());
        System.out.println("| contender | to RUNNING, median / worst | publishing again, median / worst | requests | two verdicts |");
        System.out.println("|---|---|---|---|---|");
        for (var row : out.get("contenders")) {
            System.out.printf(Locale.ROOT, "| %s | %.1f / %.1f s | %.1f / %.1f s | %d | %d |%n", row.get("contender").asText(),
                    row.get("to_running_median_s").asDouble(), row.get("to_running_worst_s").asDouble(),
                    row.get("to_output_median_s").asDouble(), row.get("to_output_worst_s").asDouble(),
                    row.get("requests").asInt(), row.get("requests_with_two_verdicts").asInt());
        }
        if (out.has("dynamic_vs_static_to_output")) {
            System.out.printf(Locale.ROOT, "%ndynamic member / static member, time to publish again: %.2fx%n",
                    out.get("dynamic_vs_static_to_output").asDouble());
        }
        if (!out.get("passed").asBoolean()) {
            System.out.println("FAILED: " + out.get("failures"));
        }
    }
}
