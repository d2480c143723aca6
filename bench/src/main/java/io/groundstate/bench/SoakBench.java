package io.groundstate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.streams.cli.DurationConverter;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.topology.MonitorStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A long run at a steady rate against a monitor in its own JVM, started as a deployment starts it (its own heap
 * limit, {@code groundstate run --config}), sampling what an operator would watch: the monitor's heap, its
 * resident memory, the requests in its state store, its state directory on disk, and alert latency. Growth is
 * judged on the live heap after a forced full collection: the old generation after the last collection, which
 * Prometheus shows, is a sawtooth of garbage waiting for the next mixed collection (117 to 246 MB in a 30-minute run). State stays bounded only if the request TTL works: finished requests are forgotten after the retention,
 * and the share of requests that never finish is ended by the idle timeout first.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"A long run at a steady rate against a monitor in its own JVM, sampling its heap, memory, state",
                "and alert latency; fails when a request gets no verdict or one twice, when a record is dead-lettered,",
                "or when heap or state still grows in the last third of the run (docs/reliability.md)."})
public final class SoakBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Growth allowed from the second third of a run to the last before heap or state counts as unbounded. */
    static final double GROWTH_TOLERANCE = 1.25;
    private static final String ABANDONED = "soak-abandoned-";

    @Mixin
    Corpus corpus = new Corpus();

    @Mixin
    StreamingBench.Tuning tuning = new StreamingBench.Tuning();

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--for", defaultValue = "30m", converter = DurationConverter.class,
            description = "How long answers are sent (default: ${DEFAULT-VALUE}).")
    Duration length;

    @Option(names = "--rate", defaultValue = "2.5", description = "Answers started per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--sample", defaultValue = "30s", converter = DurationConverter.class,
            description = "Time between samples (default: ${DEFAULT-VALUE}).")
    Duration sampleEvery;

    @Option(names = "--abandon", defaultValue = "0.05",
            description = "Share of requests that never send request_finished (default: ${DEFAULT-VALUE}).")
    double abandon;

    @Option(names = "--retention", converter = DurationConverter.class,
            description = "groundstate.request.retention.ms (default: groundstate's).")
    Duration retention;

    @Option(names = "--idle-timeout", converter = DurationConverter.class,
            description = "groundstate.request.idle.timeout.ms (default: groundstate's).")
    Duration idleTimeout;

    @Option(names = "--live-every", defaultValue = "5m", converter = DurationConverter.class,
            description = "How often the monitor's live heap is measured after a full collection, forced with jcmd "
                    + "GC.class_histogram (default: ${DEFAULT-VALUE}); the growth check uses these.")
    Duration liveEvery;

    @Option(names = "--heap", defaultValue = "1536m",
            description = "The monitor JVM's -Xmx (default: ${DEFAULT-VALUE}, the Helm chart's share of 3 GiB).")
    String heap;

    @Override
    public Integer call() throws Exception {
        List<LabeledRecord> answers = corpus.answers();
        GroundstateConfig defaults = new GroundstateConfig(Map.of());
        long retentionMs = retention != null ? retention.toMillis() : defaults.getLong(GroundstateConfig.RETENTION_MS);
        long idleMs = idleTimeout != null ? idleTimeout.toMillis() : defaults.getLong(GroundstateConfig.IDLE_TIMEOUT_MS);
        ObjectNode out = JSON.createObjectNode();
        out.put("benchmark", "soak");
        out.set("machine", Machine.describe(JSON));
        out.put("data", corpus.describe());
        out.put("model", choice.model);
        out.set("kafka", tuning.describe(JSON));
        out.put("seconds", length.toSeconds());
        out.put("rate_answers_per_s", rate);
        out.put("abandoned_share", abandon);
        out.put("retention_ms", retentionMs);
        out.put("idle_timeout_ms", idleMs);
        out.put("monitor_heap", heap);

        try (Rig rig = new Rig()) {
            Path dir = Files.createTempDirectory("groundstate-soak-");
            String prefix = rig.nextPrefix("soak");
            Map<String, Object> overrides = MonitorProcess.overrides(tuning, choice);
            overrides.put(GroundstateConfig.RETENTION_MS, retentionMs);
            overrides.put(GroundstateConfig.IDLE_TIMEOUT_MS, idleMs);
            Map<String, Object> settings = rig.settings(prefix, overrides);
            GroundstateConfig monitorConfig = new GroundstateConfig(settings);
            Path stateDir = Path.of(String.valueOf(settings.get(StreamsConfig.STATE_DIR_CONFIG)));
            int metricsPort = Integer.parseInt(monitorConfig.getString(GroundstateConfig.METRICS_ADDRESS).replaceAll(".*:", ""));
            Path config = MonitorProcess.writeConfig(dir.resolve("monitor.properties"), settings,
                    "bench soak: the monitor's configuration");
            Path log = dir.resolve("monitor.log");
            System.err.printf(Locale.ROOT, "bench soak: %s at %.2f answers/s, monitor log %s%n", length, rate, log);

            Process monitor = MonitorProcess.start(config, heap, log);
            try {
                Scraper scraper = new Scraper(metricsPort, monitor);
                scraper.awaitRunning(Duration.ofMinutes(3), log);
                return soak(rig, monitorConfig, answers, monitor, scraper, stateDir, retentionMs, idleMs, log, out);
            } finally {
                monitor.destroy();
                if (!monitor.waitFor(60, TimeUnit.SECONDS)) {
                    monitor.destroyForcibly();
                }
            }
        }
    }

    private int soak(Rig rig, GroundstateConfig config, List<LabeledRecord> answers, Process monitor, Scraper scraper,
                     Path stateDir, long retentionMs, long idleMs, Path log, ObjectNode out) throws Exception {
        ConcurrentHashMap<String, AtomicInteger> verdicts = new ConcurrentHashMap<>();
        AtomicInteger idleVerdicts = new AtomicInteger();
        AtomicInteger alerts = new AtomicInteger();
        AtomicInteger deadLetters = new AtomicInteger();
        ConcurrentLinkedQueue<Long> windowLatencies = new ConcurrentLinkedQueue<>();
        String events = config.getString(GroundstateConfig.TOPIC_EVENTS);
        String verdictTopic = config.getString(GroundstateConfig.TOPIC_VERDICTS);
        String alertTopic = config.getString(GroundstateConfig.TOPIC_ALERTS);
        String dlq = config.getString(GroundstateConfig.TOPIC_DLQ);
        int started = 0;
        int abandoned = 0;
        ArrayNode samples = out.putArray("samples");
        try (Rig.Reader reader = rig.reader(List.of(alertTopic, verdictTopic, dlq), r -> {
                 String topic = r.record().topic();
                 JsonNode value = readJson(r.record().value());
                 if (topic.equals(verdictTopic)) {
                     verdicts.computeIfAbsent(r.record().key(), k -> new AtomicInteger()).incrementAndGet();
                     if (MonitorStep.IDLE_TIMEOUT.equals(value.path("finish_reason").asText())) {
                         idleVerdicts.incrementAndGet();
                     }
                 } else if (topic.equals(alertTopic)) {
                     alerts.incrementAndGet();
                     if (!r.record().key().startsWith(ABANDONED)) {
                         windowLatencies.add(Math.max(0, r.readAtMs() - value.path("event_time").asLong()));
                     }
                 } else {
                     deadLetters.incrementAndGet();
                 }
             });
             KafkaProducer<String, byte[]> producer = rig.producer()) {
            PriorityQueue<Events.Scheduled> due = new PriorityQueue<>((a, b) -> Long.compare(a.atNanos(), b.atNanos()));
            long spacing = (long) (1e9 / rate);
            long t0 = System.nanoTime();
            long endNanos = t0 + length.toNanos();
            long nextSample = t0 + sampleEvery.toNanos();
            long nextLive = t0 + liveEvery.toNanos();
            long abandonEvery = abandon > 0 ? Math.max(1, Math.round(1 / abandon)) : Long.MAX_VALUE;
            while (true) {
                long now = System.nanoTime();
                long nextStart = t0 + started * spacing;
                if (nextStart < endNanos && nextStart <= now) {
                    LabeledRecord a = answers.get(started % answers.size());
                    int cycle = started / answers.size();
                    boolean abandons = (started + 1) % abandonEvery == 0;
                    // An abandoned request's last sentence is only known to be over when its idle timeout ends it,
                    // so its alerts wait that long by design: their latency is kept out of the windows.
                    String id = (abandons ? ABANDONED : "soak-") + started + "-" + a.id();
                    List<MonitorEvent> evs = Simulator.events(cycle == 0 ? a : revised(a, cycle)).stream()
                            .filter(e -> !(abandons && e instanceof MonitorEvent.RequestFinished)).toList();
                    due.addAll(Events.schedule(evs, id, nextStart));
                    started++;
                    abandoned += abandons ? 1 : 0;
                    continue;
                }
                if (!due.isEmpty() && due.peek().atNanos() <= now) {
                    due.poll().send(producer, events);
                    continue;
                }
                if (now >= nextSample) {
                    boolean measureLive = now >= nextLive;
                    if (measureLive) {
                        nextLive += liveEvery.toNanos();
                    }
                    samples.add(sample(now - t0, scraper, stateDir, started, verdicts.size(), alerts.get(),
                            deadLetters.get(), windowLatencies, measureLive));
                    nextSample += sampleEvery.toNanos();
                    continue;
                }
                if (nextStart >= endNanos && due.isEmpty()) {
                    break;
                }
                if (!monitor.isAlive()) {
                    throw new IllegalStateException("the monitor exited (" + monitor.exitValue() + "), see " + log);
                }
                long wake = Math.min(nextSample, Math.min(nextStart < endNanos ? nextStart : Long.MAX_VALUE,
                        due.isEmpty() ? Long.MAX_VALUE : due.peek().atNanos()));
                LockSupport.parkNanos(Math.max(0, wake - System.nanoTime()));
            }
            producer.flush();
            // Abandoned requests end when their idle timeout passes, then the expiry interval comes round.
            long deadline = System.nanoTime() + Duration.ofMillis(idleMs).plusMinutes(3).toNanos();
            while (verdicts.size() < started && System.nanoTime() < deadline && monitor.isAlive()) {
                Thread.sleep(500); // polling the reader's count
            }
            samples.add(sample(System.nanoTime() - t0, scraper, stateDir, started, verdicts.size(), alerts.get(),
                    deadLetters.get(), windowLatencies, true));
            // One last look after the retention, so the table shows the state emptying once traffic stops.
            Thread.sleep(Math.min(retentionMs + 2 * sampleEvery.toMillis(), Duration.ofMinutes(7).toMillis()));
            samples.add(sample(System.nanoTime() - t0, scraper, stateDir, started, verdicts.size(), alerts.get(),
                    deadLetters.get(), windowLatencies, true));
        }

        long twice = verdicts.values().stream().filter(c -> c.get() > 1).count();
        out.put("requests", started);
        out.put("abandoned", abandoned);
        out.put("verdicts", verdicts.size());
        out.put("idle_timeout_verdicts", idleVerdicts.get());
        out.put("requests_with_two_verdicts", twice);
        out.put("alerts", alerts.get());
        out.put("dead_letters", deadLetters.get());
        Growth heapGrowth = growth(samples, "heap_live_forced_mb");
        Growth stateGrowth = growth(samples, "state_requests");
        out.put("heap_live_forced_mb_max_middle_third", heapGrowth.middle());
        out.put("heap_live_forced_mb_max_last_third", heapGrowth.last());
        out.put("state_requests_max_middle_third", stateGrowth.middle());
        out.put("state_requests_max_last_third", stateGrowth.last());
        out.put("state_requests_max", max(samples, "state_requests"));
        out.put("rss_mb_max", max(samples, "rss_mb"));
        out.put("growth_tolerance", GROWTH_TOLERANCE);
        List<String> failures = new ArrayList<>();
        if (verdicts.size() != started) {
            failures.add((started - verdicts.size()) + " of " + started + " requests got no verdict");
        }
        if (twice > 0) {
            failures.add(twice + " requests got two verdicts");
        }
        if (deadLetters.get() > 0) {
            failures.add(deadLetters.get() + " dead letters from good input");
        }
        if (idleVerdicts.get() != abandoned) {
            failures.add(idleVerdicts.get() + " idle-timeout verdicts for " + abandoned + " abandoned requests");
        }
        if (!heapGrowth.bounded()) {
            failures.add("heap after collection grew from " + heapGrowth.middle() + " MB to " + heapGrowth.last() + " MB");
        }
        if (!stateGrowth.bounded()) {
            failures.add("the state store grew from " + stateGrowth.middle() + " to " + stateGrowth.last() + " requests");
        }
        out.put("passed", failures.isEmpty());
        out.set("failures", JSON.valueToTree(failures));
        if (choice.json) {
            System.out.println(JSON.writeValueAsString(out));
        } else {
            printTable(out);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /**
     * The answer with a new first context sentence each time the corpus comes round again: a new basis text per
     * request, though the rest of its sentences and words are in the encoder's cache by then (recurring documents).
     */
    private static LabeledRecord revised(LabeledRecord a, int cycle) {
        return new LabeledRecord(a.id(), a.sourceId(), a.taskType(), a.model(), a.question(),
                "Revision " + cycle + ". " + a.context(), a.response(), a.labels());
    }

    private ObjectNode sample(long elapsedNanos, Scraper scraper, Path stateDir, int started, int verdicts, int alerts,
                              int deadLetters, ConcurrentLinkedQueue<Long> windowLatencies, boolean measureLive) {
        Map<String, Double> m = scraper.scrape();
        Histogram live = measureLive ? scraper.liveHeap() : null;
        List<Long> window = new ArrayList<>();
        for (Long l; (l = windowLatencies.poll()) != null; ) {
            window.add(l);
        }
        double[] lat = window.stream().mapToDouble(Long::doubleValue).toArray();
        ObjectNode s = JSON.createObjectNode();
        s.put("t_s", Math.round(elapsedNanos / 1e9));
        s.put("requests", started);
        s.put("verdicts", verdicts);
        s.put("alerts", alerts);
        s.put("dead_letters", deadLetters);
        s.put("heap_live_mb", mb(m.getOrDefault("jvm_gc_live_data_size_bytes", Double.NaN)));
        if (live != null) {
            s.put("heap_live_forced_mb", mb(live.totalBytes()));
            s.put("heap_live_top", live.top());
        }
        s.put("heap_used_mb", mb(m.getOrDefault("jvm_memory_used_bytes{area=heap}", Double.NaN)));
        s.put("rss_mb", mb(scraper.residentBytes()));
        s.put("state_requests", Math.round(m.getOrDefault("groundstate_state_requests", Double.NaN)));
        s.put("requests_active", Math.round(m.getOrDefault("groundstate_requests_active", Double.NaN)));
        s.put("state_dir_mb", mb(directoryBytes(stateDir)));
        s.put("threads", Math.round(m.getOrDefault("jvm_threads_live_threads", Double.NaN)));
        s.put("window_alerts", lat.length);
        s.put("window_alert_p50_ms", lat.length == 0 ? 0 : Math.round(Stats.quantile(lat, 0.5)));
        s.put("window_alert_p99_ms", lat.length == 0 ? 0 : Math.round(Stats.quantile(lat, 0.99)));
        s.put("window_alert_max_ms", lat.length == 0 ? 0 : Math.round(Stats.quantile(lat, 1.0)));
        // Kafka Streams' own maxima (over its 30 s metric window): which stage a latency spike sat in.
        for (String stage : List.of("poll", "process", "commit", "punctuate")) {
            s.put(stage + "_max_ms", Math.round(m.getOrDefault("kafka_stream_thread_" + stage + "_latency_max", Double.NaN)));
        }
        System.err.println("  " + s);
        return s;
    }

    record Histogram(double totalBytes, String top) {
    }

    record Growth(double middle, double last) {
        boolean bounded() {
            return !(last > middle * GROWTH_TOLERANCE);
        }
    }

    /**
     * The largest value of {@code field} in the second and in the last third of the samples taken while sending
     * (by position; samples without the field are skipped, so the live heap, measured every few samples, counts
     * where it was measured).
     */
    static Growth growth(ArrayNode samples, String field) {
        int n = samples.size() - 2; // the two samples after sending stopped show the drain
        double middle = 0;
        double last = 0;
        for (int i = n / 3; i < n; i++) {
            JsonNode v = samples.get(i).get(field);
            if (v == null || !v.isNumber()) {
                continue;
            }
            if (i < 2 * n / 3) {
                middle = Math.max(middle, v.asDouble());
            } else {
                last = Math.max(last, v.asDouble());
            }
        }
        return new Growth(middle, last);
    }

    private static double max(ArrayNode samples, String field) {
        double m = 0;
        for (JsonNode s : samples) {
            m = Math.max(m, s.get(field).asDouble());
        }
        return m;
    }

    private static void printTable(ObjectNode out) {
        System.out.println("| min | requests | verdicts | alerts | live heap MB (full GC) | old gen after last GC MB "
                + "| heap used MB | RSS MB | requests in state | active | state dir MB | threads | alert p50 ms | alert p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (JsonNode s : out.get("samples")) {
            System.out.printf(Locale.ROOT, "| %.1f | %d | %d | %d | %s | %.0f | %.0f | %.0f | %d | %d | %.1f | %d | %d | %d |%n",
                    s.get("t_s").asDouble() / 60, s.get("requests").asInt(), s.get("verdicts").asInt(), s.get("alerts").asInt(),
                    s.has("heap_live_forced_mb") ? String.format(Locale.ROOT, "%.0f", s.get("heap_live_forced_mb").asDouble()) : "",
                    s.get("heap_live_mb").asDouble(), s.get("heap_used_mb").asDouble(), s.get("rss_mb").asDouble(),
                    s.get("state_requests").asLong(), s.get("requests_active").asLong(), s.get("state_dir_mb").asDouble(),
                    s.get("threads").asLong(), s.get("window_alert_p50_ms").asLong(), s.get("window_alert_p99_ms").asLong());
        }
        System.out.println();
        ObjectNode summary = out.deepCopy();
        summary.remove("samples");
        summary.remove("machine");
        System.out.println(summary.toPrettyString());
    }

    private static double mb(double bytes) {
        return Math.round(bytes / (1 << 20) * 10) / 10.0;
    }

    private static long directoryBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // RocksDB removed it meanwhile
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static JsonNode readJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return JSON.createObjectNode(); // a dead letter's value need not be JSON
        }
    }

    /** Reads the monitor's Prometheus endpoint, as Prometheus would, and its resident memory from /proc. */
    static final class Scraper {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI uri;
        private final Process process;

        Scraper(int port, Process process) {
            this.uri = URI.create("http://127.0.0.1:" + port + "/metrics");
            this.process = process;
        }

        void awaitRunning(Duration timeout, Path log) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the monitor exited at start-up, see " + log);
                }
                if (scrape().getOrDefault("groundstate_streams_running", 0.0) == 1.0) {
                    return;
                }
                Thread.sleep(500); // polling the endpoint until Kafka Streams runs
            }
            throw new IllegalStateException("the monitor did not start in " + timeout + ", see " + log);
        }

        /**
         * Sums of each metric over its series, by name (the largest for a maximum); {@code jvm_memory_used_bytes{area=heap}} is the heap's
         * share of that metric.
         */
        Map<String, Double> scrape() {
            Map<String, Double> m = new HashMap<>();
            String body;
            try {
                body = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
            } catch (IOException e) {
                return m; // not listening yet, or gone: the caller sees missing values
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return m;
            }
            for (String line : body.split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                if (space < 0) {
                    continue;
                }
                String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
                double value;
                try {
                    value = Double.parseDouble(line.substring(space + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                m.merge(name, value, name.endsWith("_max") ? Double::max : Double::sum);
                if (name.equals("jvm_memory_used_bytes") && line.contains("area=\"heap\"")) {
                    m.merge("jvm_memory_used_bytes{area=heap}", value, Double::sum);
                }
            }
            return m;
        }

        /**
         * The live heap: {@code jcmd GC.class_histogram} collects fully first, then counts what is left; with the
         * three largest classes, which say what it is.
         */
        Histogram liveHeap() {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            try {
                Process p = new ProcessBuilder(jcmd, Long.toString(process.pid()), "GC.class_histogram")
                        .redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(60, TimeUnit.SECONDS);
                double total = Double.NaN;
                List<String> top = new ArrayList<>();
                for (String line : text.split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 3 && f[0].equals("Total")) {
                        total = Double.parseDouble(f[2]);
                    } else if (f.length >= 4 && f[0].matches("[123]:")) {
                        top.add(f[3] + " " + Math.round(Double.parseDouble(f[2]) / (1 << 20)) + " MB");
                    }
                }
                return new Histogram(total, String.join(", ", top));
            } catch (IOException | NumberFormatException e) {
                return new Histogram(Double.NaN, "jcmd failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Histogram(Double.NaN, "interrupted");
            }
        }

        double residentBytes() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return Double.NaN; // not Linux, or the process is gone
            }
            return Double.NaN;
        }
    }
}
