package io.groundstate.streams.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.groundstate.streams.cli.GroundstateCommand;
import io.groundstate.streams.TestProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The demo as a child JVM (embedded broker, real encoder, real events), scraped over HTTP: the scrape passes
 * {@code promtool check metrics}, holds every metric the dashboard and the rules use, and a real Prometheus server
 * scraping it evaluates the rules and fires the dead-letter alert for the demo's malformed record.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveMetricsTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Process demo;
    static int port;
    static String scrape;
    static Path log = Path.of("target", "live-metrics-demo.log");
    static Process prometheus;
    static String prometheusApi;
    static Path prometheusDir;

    @BeforeAll
    static void startDemoAndWaitForMetrics() throws Exception {
        port = TestProcesses.freePort();
        // Prometheus first: it must see the dead-letter counter at 0 before the demo's malformed record
        Path binary = Path.of("/usr/bin/prometheus");
        if (Files.isExecutable(binary)) {
            startPrometheus(binary);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                GroundstateCommand.class.getName(), "demo", "--for", "90s", "--tokens-per-second", "120",
                "--metrics-address", "127.0.0.1:" + port, "--no-color")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        demo = pb.start();
        waitFor(Duration.ofMinutes(3), "the demo to become ready", () -> get("/health/ready", null).statusCode() == 200);
        // Until a verdict, an alert and a partition's lag (picked up on the Kafka metrics refresh) have been seen.
        waitFor(Duration.ofSeconds(90), "verdicts, alerts and consumer lag in the scrape", () -> {
            scrape = get("/metrics", null).body();
            return scrape.contains("groundstate_responses_total{") && scrape.contains("groundstate_alerts_total{")
                    && scrape.contains("kafka_consumer_fetch_manager_records_lag{");
        });
    }

    static void startPrometheus(Path binary) throws IOException {
        prometheusDir = Files.createTempDirectory("gs-prometheus");
        int promPort = TestProcesses.freePort();
        Path config = prometheusDir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:", "  scrape_interval: 1s", "  evaluation_interval: 1s",
                "rule_files:", "  - " + OpsFiles.RULES.toAbsolutePath().normalize(),
                "scrape_configs:", "  - job_name: groundstate", "    static_configs:",
                "      - targets: [\"127.0.0.1:" + port + "\"]", ""));
        prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + prometheusDir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(Path.of("target", "live-metrics-prometheus.log").toFile()).start();
        prometheusApi = "http://127.0.0.1:" + promPort;
    }

    @AfterAll
    static void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor(30, TimeUnit.SECONDS);
            try (var paths = Files.walk(prometheusDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @AfterAll
    static void stopDemo() throws Exception {
        if (demo != null && demo.isAlive()) {
            // it exits by itself after --for; waiting lets it close the broker and remove its files
            if (!demo.waitFor(3, TimeUnit.MINUTES)) {
                demo.destroyForcibly();
                fail("the demo did not finish; see " + log);
            }
        }
        if (demo != null) {
            assertEquals(0, demo.exitValue(), "the demo's exit code; see " + log);
        }
    }

    @Test
    @Order(1)
    void healthEndpointsAnswerWhileRunning() throws Exception {
        HttpResponse<String> live = get("/health/live", null);
        assertEquals(200, live.statusCode());
        HttpResponse<String> health = get("/health", null);
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"streams\":\"RUNNING\""), health.body());
        assertEquals(404, get("/nothing-here", null).statusCode());
    }

    @Test
    @Order(2)
    void theScrapePassesPromtoolCheckMetrics() throws Exception {
        Path promtool = TestProcesses.debianTool("promtool", "prometheus");
        TestProcesses.Result r = TestProcesses.run(List.of(promtool.toString(), "check", "metrics"),
                scrape.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.output());
        // the check can fail: a meter without a description does
        TestProcesses.Result bad = TestProcesses.run(List.of(promtool.toString(), "check", "metrics"),
                "# TYPE x_total counter\nx_total 1\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
        assertTrue(bad.exitCode() != 0 && bad.output().contains("no help text"), bad.output());
    }

    @Test
    @Order(3)
    void openMetricsIsServedWhenPrometheusAsksForIt() throws Exception {
        HttpResponse<String> om = get("/metrics", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(om.body().strip().endsWith("# EOF"), "OpenMetrics ends with # EOF");
        HttpResponse<String> text = get("/metrics", "text/plain");
        assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertFalse(text.body().contains("# EOF"));
    }

    @Test
    @Order(4)
    void everyMetricTheDashboardAndTheRulesUseIsInTheScrape() throws Exception {
        Set<String> scraped = sampleNames(scrape);
        Set<String> recorded = new TreeSet<>();
        for (JsonNode r : OpsFiles.rules()) {
            if (r.has("record")) {
                recorded.add(r.get("record").asText());
            }
        }
        Map<String, Set<String>> used = new TreeMap<>();
        for (String e : OpsFiles.dashboardExpressions()) {
            used.put("dashboard: " + e, OpsFiles.metricNames(e));
        }
        for (JsonNode r : OpsFiles.rules()) {
            used.put("rule " + r.path("alert").asText(r.path("record").asText()), OpsFiles.metricNames(r.get("expr").asText()));
        }
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : used.entrySet()) {
            assertFalse(e.getValue().isEmpty(), "no metric found in " + e.getKey());
            for (String name : e.getValue()) {
                // up is Prometheus's own; names with a colon come from recording rules
                boolean known = name.equals("up") || (name.contains(":") ? recorded.contains(name) : scraped.contains(name));
                if (!known) {
                    missing.add(name + " (" + e.getKey() + ")");
                }
            }
        }
        assertTrue(missing.isEmpty(), "used but not exported: " + missing);
    }

    @Test
    @Order(5)
    void theScrapeHoldsEveryCataloguedMeterWithItsTagsAndNothingUncatalogued() {
        Set<String> scraped = sampleNames(scrape);
        Set<String> catalogued = new TreeSet<>();
        for (MeterCatalog.Entry e : MeterCatalog.ALL) {
            for (String s : e.sampleNames()) {
                assertTrue(scraped.contains(s), s + " is catalogued but not exported");
                catalogued.add(s);
            }
            Set<String> keys = labelKeys(scrape, e.prometheusName());
            keys.remove("le");
            assertEquals(new TreeSet<>(e.tagKeys()), keys, e.name());
        }
        for (String s : scraped) {
            assertTrue(!s.startsWith("groundstate_") || catalogued.contains(s), s + " is exported but not catalogued");
        }
        // the deprecated underscored copies of dotted topic names are dropped
        assertFalse(scrape.contains("topic=\"groundstate_events\""), "duplicate lag series for groundstate_events");
        assertTrue(scrape.contains("topic=\"groundstate.events\""));
    }

    @Test
    @Order(6)
    void aRealPrometheusScrapesTheDemoAndFiresTheDeadLetterAlert() throws Exception {
        TestProcesses.debianTool("prometheus", "prometheus");
        String api = prometheusApi;
        waitFor(Duration.ofSeconds(60), "Prometheus to be ready", () -> send(api + "/-/ready").statusCode() == 200);
        waitFor(Duration.ofSeconds(60), "the target to be up", () -> !result(query(api, "up{job=\"groundstate\"} == 1")).isEmpty());

        // The alert's own expression, evaluated through the HTTP API: the demo sends one malformed record.
        String expr = OpsFiles.alerts().get("GroundstateDeadLetters").get("expr").asText().strip();
        waitFor(Duration.ofSeconds(60), "the dead-letter expression to hold", () -> !result(query(api, expr)).isEmpty());
        JsonNode series = result(query(api, expr)).get(0);
        assertEquals("decode", series.path("metric").path("stage").asText());
        assertFalse(series.path("metric").path("reason").asText().isBlank());

        // The rule engine agrees: the alert fires, and no rule fails to evaluate against real series.
        waitFor(Duration.ofSeconds(60), "GroundstateDeadLetters to fire", () -> {
            for (JsonNode a : OpsFiles.JSON.readTree(send(api + "/api/v1/alerts").body()).path("data").path("alerts")) {
                if (a.path("labels").path("alertname").asText().equals("GroundstateDeadLetters")
                        && a.path("state").asText().equals("firing")) {
                    return true;
                }
            }
            return false;
        });
        assertTrue(result(query(api, "groundstate_streams_running")).size() == 1);
        JsonNode groups = OpsFiles.JSON.readTree(send(api + "/api/v1/rules").body()).path("data").path("groups");
        int evaluated = 0;
        for (JsonNode g : groups) {
            for (JsonNode r : g.path("rules")) {
                assertFalse(r.path("health").asText().equals("err"), r.get("name") + ": " + r.path("lastError"));
                evaluated += r.path("health").asText().equals("ok") ? 1 : 0;
            }
        }
        assertTrue(evaluated >= OpsFiles.alerts().size(), "alerting rules evaluated: " + evaluated);

        // Every dashboard query is valid PromQL against the real series.
        for (String e : OpsFiles.dashboardExpressions()) {
            JsonNode r = query(api, e);
            assertEquals("success", r.path("status").asText(), e + ": " + r);
        }
        assertFalse(result(query(api, OpsFiles.dashboardExpressions().get(0))).isEmpty(),
                "the hallucination-rate panel shows the demo's verdicts");
    }

    static JsonNode query(String api, String expr) throws IOException, InterruptedException {
        return OpsFiles.JSON.readTree(send(api + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).body());
    }

    static JsonNode result(JsonNode response) {
        return response.path("data").path("result");
    }

    static HttpResponse<String> send(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s", Pattern.MULTILINE);

    static Set<String> sampleNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The label keys on the samples of one family (its _bucket, _count, ... included). */
    static Set<String> labelKeys(String text, String family) {
        Set<String> keys = new TreeSet<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            String n = m.group(1);
            if ((n.equals(family) || n.startsWith(family + "_")) && m.group(3) != null) {
                for (String kv : m.group(3).split(",(?=[a-zA-Z_]+=\")")) {
                    keys.add(kv.substring(0, kv.indexOf('=')));
                }
            }
        }
        return keys;
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Duration timeout, String what, Check check) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            if (demo != null && !demo.isAlive()) {
                fail("the demo exited with " + demo.exitValue() + " while waiting for " + what + "; see " + log);
            }
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        fail("timed out waiting for " + what + (last == null ? "" : " (last error: " + last + ")"));
    }

}
