package io.groundstate.streams.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.demo.SimulatedApp;
import io.groundstate.streams.kafka.MonitorApp;
import io.groundstate.streams.topology.DeadLetters;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"A live demo on this machine: an embedded Kafka broker, the streaming monitor, and a",
                "simulated RAG app that streams real answers (RAGTruth, with human labels) token by token.",
                "Alerts and verdicts are printed as they arrive; it exits cleanly after --for."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--for", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to stream (default: ${DEFAULT-VALUE}; e.g. 90s, 5m).")
    Duration duration;

    @Option(names = "--answers", description = "Labeled answers to stream instead of the shipped ones (the eval format).")
    Path answers;

    @Option(names = "--concurrency", defaultValue = "3", description = "Answers streamed at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--tokens-per-second", defaultValue = "40",
            description = "Generation pace of each simulated answer (default: ${DEFAULT-VALUE}).")
    double tokensPerSecond;

    @Option(names = "--metrics-address", defaultValue = "127.0.0.1:9404",
            description = "Where /metrics and /health are served (default: ${DEFAULT-VALUE}; port 0 picks a free one).")
    String metricsAddress;

    @Option(names = "--no-color", description = "No ANSI colours, even on a terminal.")
    boolean noColor;

    private boolean color;

    @Override
    public Integer call() throws Exception {
        if (concurrency < 1 || tokensPerSecond <= 0) {
            throw new IllegalArgumentException("--concurrency and --tokens-per-second must be positive");
        }
        List<LabeledRecord> list = answers == null ? SimulatedApp.shippedAnswers() : LabeledRecord.read(answers);
        color = !noColor && System.console() != null;
        PrintStream out = System.out;
        GroundstateConfig config = new GroundstateConfig(Map.of(
                GroundstateConfig.TOPICS_PARTITIONS, 3,
                GroundstateConfig.IDLE_TIMEOUT_MS, 30_000L,
                GroundstateConfig.METRICS_ADDRESS, metricsAddress));
        long t0 = System.nanoTime();
        out.println(bold("groundstate demo") + ": starting an embedded Kafka broker and the monitor...");
        try (MonitorApp app = MonitorApp.start(config, Duration.ofMinutes(2))) {
            out.printf("Kafka at %s, monitor running (%s on %s), ready in %.1f s.%n", app.bootstrapServers(),
                    app.encoder().id(), app.encoder().device(), (System.nanoTime() - t0) / 1e9);
            String host = metricsAddress.substring(0, metricsAddress.lastIndexOf(':'));
            out.printf("Metrics at http://%s:%d/metrics, health at /health.%n",
                    host.isEmpty() || host.equals("0.0.0.0") ? "localhost" : host, app.observability().port());
            out.printf("Streaming %d RAG answers (%s), %d at a time, ~%.0f tokens/s each, for %s.%n%n", list.size(),
                    answers == null ? "RAGTruth, MIT licence: see demo/ATTRIBUTION.md" : answers,
                    concurrency, tokensPerSecond, human(duration));
            Tally tally = new Tally();
            try (KafkaConsumer<String, byte[]> consumer = consumer(app.bootstrapServers());
                 SimulatedApp sim = new SimulatedApp(app.bootstrapServers(),
                         config.getString(GroundstateConfig.TOPIC_EVENTS), list, concurrency, tokensPerSecond)) {
                consumer.subscribe(List.of(config.getString(GroundstateConfig.TOPIC_ALERTS),
                        config.getString(GroundstateConfig.TOPIC_VERDICTS), config.getString(GroundstateConfig.TOPIC_DLQ)));
                long started = System.nanoTime();
                sim.start();
                long end = started + duration.toNanos();
                while (System.nanoTime() < end) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        print(out, r, sim, tally, (System.nanoTime() - started) / 1e9);
                    }
                }
                out.printf("%n%s%n", bold("Summary"));
                out.printf("  answers started %d, verdicts %d (%d hallucinated), alerts %s, dead letters %d%n",
                        sim.started(), tally.verdicts, tally.flagged, tally.alertsByKind, tally.deadLetters);
                if (tally.labeled > 0) {
                    out.printf("  verdicts agreeing with the human label: %d of %d (in-sample: the shipped weights were "
                            + "fitted on these answers; docs/evaluation.md has cross-validated figures)%n",
                            tally.agreeing, tally.labeled);
                }
                if (!tally.alertsJudged.isEmpty()) {
                    StringBuilder kinds = new StringBuilder();
                    tally.alertsJudged.forEach((kind, n) -> kinds.append(kinds.length() == 0 ? "" : ", ")
                            .append(String.format(Locale.ROOT, "%s %d of %d (%.2f)", kind,
                                    tally.alertsRight.getOrDefault(kind, 0), n,
                                    tally.alertsRight.getOrDefault(kind, 0) / (double) n)));
                    out.printf("  alerts whose sentence overlaps a human-labeled span: %s (in-sample, like the "
                            + "verdicts; held out, docs/evaluation.md \"Alert precision\")%n", kinds);
                }
                out.printf("  token deltas sent %d%n", sim.deltasSent());
                if (!tally.alertLatencyMs.isEmpty()) {
                    out.printf("  alert latency, the sentence's last token to the alert read here: median %d ms, p95 %d ms%n",
                            tally.percentile(0.5), tally.percentile(0.95));
                }
            }
            out.println("Stopping...");
        }
        return 0;
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "groundstate-demo-viewer",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    static final class Tally {
        int verdicts;
        int flagged;
        int labeled;
        int agreeing;
        int deadLetters;
        final Map<String, Integer> alertsByKind = new TreeMap<>();
        /** Alerts on labeled answers, by kind, and those whose sentence overlaps a labeled span. */
        final Map<String, Integer> alertsJudged = new TreeMap<>();
        final Map<String, Integer> alertsRight = new TreeMap<>();
        final List<Long> alertLatencyMs = new java.util.ArrayList<>();

        long percentile(double q) {
            List<Long> sorted = alertLatencyMs.stream().sorted().toList();
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
        }
    }

    private void print(PrintStream out, ConsumerRecord<String, byte[]> r, SimulatedApp sim, Tally tally, double t)
            throws IOException {
        String when = String.format(Locale.ROOT, "[%6.1fs]", t);
        if (r.topic().endsWith("dlq")) {
            tally.deadLetters++;
            out.printf("%s %s %s%n", when, yellow("DEAD LETTER"), DeadLetters.header(r.headers(), DeadLetters.REASON));
            return;
        }
        JsonNode n = ReportJson.JSON.readTree(r.value());
        String requestId = n.path("request_id").asText();
        LabeledRecord answer = sim.answerOf(requestId);
        String task = answer == null ? "" : answer.task();
        if (n.has("alert_id")) {
            String kind = n.get("kind").asText();
            tally.alertsByKind.merge(kind.toLowerCase(Locale.ROOT), 1, Integer::sum);
            int start = n.path("start").asInt(-1);
            int end = n.path("end").asInt(-1);
            if (answer != null && answer.spanLabeled() && start >= 0 && end > start) {
                tally.alertsJudged.merge(kind.toLowerCase(Locale.ROOT), 1, Integer::sum);
                if (answer.labeled(start, end)) {
                    tally.alertsRight.merge(kind.toLowerCase(Locale.ROOT), 1, Integer::sum);
                }
            }
            // event_time is the sentence's last token, stamped by the app on this machine's clock
            tally.alertLatencyMs.add(System.currentTimeMillis() - n.get("event_time").asLong());
            String sev = n.get("severity").asText();
            String label = String.format(Locale.ROOT, "%-8s %-15s", sev, kind.toLowerCase(Locale.ROOT));
            out.printf("%s %s %s %s score %.2f (threshold %.2f)%n", when, "CRITICAL".equals(sev) ? red(label) : yellow(label),
                    requestId, task, n.get("score").asDouble(), n.get("threshold").asDouble());
            out.printf("           \"%s\"%n", shorten(n.path("text").asText(""), 140));
            if (n.get("attributed_tokens").size() > 0) {
                out.printf("           pulled away by: %s; nearest context chunk %s (cosine %.2f)%n",
                        n.get("attributed_tokens"), n.path("nearest_chunk_id").asText("-"),
                        n.path("nearest_similarity").asDouble(Double.NaN));
            }
        } else if (n.has("hallucinated")) {
            tally.verdicts++;
            boolean h = n.get("hallucinated").asBoolean();
            tally.flagged += h ? 1 : 0;
            String verdict = h ? red("HALLUCINATED") : green("grounded");
            String agree = "";
            if (answer != null) {
                tally.labeled++;
                boolean ok = answer.hallucinated() == h;
                tally.agreeing += ok ? 1 : 0;
                agree = "; human label: " + (answer.hallucinated() ? "hallucinated" : "faithful") + (ok ? " (agrees)" : " (disagrees)");
            }
            out.printf("%s %s %s %s: %s p=%.2f, %d sentences, %d alerts%s%n", when, bold("VERDICT"), requestId, task,
                    verdict, n.get("probability").asDouble(), n.get("sentences").asInt(), n.get("alerts").asInt(), agree);
            for (JsonNode s : n.path("unsupported_spans")) {
                out.printf("           unsupported: \"%s\"%n", shorten(s.path("text").asText(""), 100));
            }
        }
    }

    private static String shorten(String s, int max) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= max ? one : one.substring(0, max - 3) + "...";
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
    }

    private String paint(String code, String s) {
        return color ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    private String red(String s) {
        return paint("31;1", s);
    }

    private String yellow(String s) {
        return paint("33", s);
    }

    private String green(String s) {
        return paint("32", s);
    }

    private String bold(String s) {
        return paint("1", s);
    }
}
