package io.groundstate.streams.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.groundstate.streams.TestProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped rules, their unit tests and the dashboard, checked with Debian's promtool and by reading them. */
class AlertRulesTest {
    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        Path promtool = TestProcesses.debianTool("promtool", "prometheus");
        TestProcesses.Result check = TestProcesses.run(List.of(promtool.toString(), "check", "rules", OpsFiles.RULES.toString()),
                null, Duration.ofSeconds(60));
        assertEquals(0, check.exitCode(), check.output());
        TestProcesses.Result test = TestProcesses.run(List.of(promtool.toString(), "test", "rules",
                OpsFiles.RULE_TESTS.toString()), null, Duration.ofMinutes(3));
        assertEquals(0, test.exitCode(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
    }

    /** A rule test that expects the wrong thing must fail, or a green run above would mean nothing. */
    @Test
    void promtoolFailsARuleTestThatExpectsTheWrongAlerts(@TempDir Path dir) throws Exception {
        Path promtool = TestProcesses.debianTool("promtool", "prometheus");
        Files.copy(OpsFiles.RULES, dir.resolve("groundstate.rules.yml"));
        String tests = Files.readString(OpsFiles.RULE_TESTS);
        // the dead-letter case expects an alert at 15 min; expect none instead
        String broken = tests.replaceFirst("(?s)(- eval_time: 15m\\s+alertname: GroundstateDeadLetters\\s+exp_alerts:)"
                + "\\s+- exp_labels:.*?(?=\\n\\s*- name:)", "$1 []\n");
        assertFalse(broken.equals(tests), "the edit found its place");
        Files.writeString(dir.resolve("t.yml"), broken);
        TestProcesses.Result r = TestProcesses.run(List.of(promtool.toString(), "test", "rules", dir.resolve("t.yml").toString()),
                null, Duration.ofMinutes(3));
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("GroundstateDeadLetters"), r.output());
    }

    @Test
    void everyAlertHasSeriesThatFireItAndSeriesThatDoNot() throws Exception {
        Set<String> fired = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : OpsFiles.yaml(OpsFiles.RULE_TESTS).get("tests")) {
            for (JsonNode t : test.path("alert_rule_test")) {
                String name = t.get("alertname").asText();
                (t.get("exp_alerts").isEmpty() ? quiet : fired).add(name);
            }
        }
        Set<String> alerts = OpsFiles.alerts().keySet();
        assertEquals(8, alerts.size(), "the alerts the issue names, and alert latency");
        assertTrue(fired.containsAll(alerts), "alerts no test fires: " + difference(alerts, fired));
        assertTrue(quiet.containsAll(alerts), "alerts no test keeps quiet: " + difference(alerts, quiet));
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbookInOperationsMd() throws Exception {
        String operations = Files.readString(OpsFiles.OPERATIONS);
        for (Map.Entry<String, JsonNode> e : OpsFiles.alerts().entrySet()) {
            JsonNode rule = e.getValue();
            assertTrue(Set.of("warning", "critical").contains(rule.path("labels").path("severity").asText()), e.getKey());
            assertFalse(rule.path("annotations").path("summary").asText().isBlank(), e.getKey());
            String anchor = e.getKey().toLowerCase(Locale.ROOT);
            assertEquals("docs/operations.md#" + anchor, rule.path("annotations").path("runbook_url").asText(), e.getKey());
            assertTrue(operations.contains("\n### " + e.getKey() + "\n"), "no runbook section ### " + e.getKey());
        }
    }

    @Test
    void theDashboardHasItsVariablesAndEveryPanelUsesTheChosenDataSource() throws Exception {
        JsonNode d = OpsFiles.JSON.readTree(OpsFiles.DASHBOARD.toFile());
        List<String> variables = new ArrayList<>();
        d.path("templating").path("list").forEach(v -> variables.add(v.get("name").asText()));
        assertEquals(List.of("datasource", "app", "model"), variables);
        Set<String> ids = new HashSet<>();
        Set<String> titles = new TreeSet<>();
        for (JsonNode p : d.get("panels")) {
            assertTrue(ids.add(p.get("id").asText()), "panel ids are unique");
            titles.add(p.get("title").asText());
            if (!p.get("type").asText().equals("row")) {
                assertEquals("${datasource}", p.path("datasource").path("uid").asText(), p.get("title").asText());
                assertFalse(p.path("targets").isEmpty(), p.get("title").asText());
                for (JsonNode t : p.get("targets")) {
                    assertFalse(OpsFiles.metricNames(t.get("expr").asText()).isEmpty(), t.get("expr").asText());
                }
            }
        }
        for (String wanted : List.of("Hallucination rate by app and model", "Alert rate by kind",
                "Grounding energy of scored sentences", "Drift alarms", "Alert latency", "Encoder throughput",
                "Encoder device", "Consumer lag", "Dead letters")) {
            assertTrue(titles.contains(wanted), "the dashboard lacks " + wanted);
        }
        assertTrue(OpsFiles.dashboardExpressions().stream().anyMatch(e -> e.contains("app=~\".*\"")),
                "the app variable filters the panels");
    }

    @Test
    void thePrometheusConfigForTheLocalStackIsValid(@TempDir Path dir) throws Exception {
        Path promtool = TestProcesses.debianTool("promtool", "prometheus");
        // rule_files names the path inside the container; point it at the source for the check
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, Files.readString(OpsFiles.PROMETHEUS_CONFIG).replace("/etc/prometheus/rules/",
                OpsFiles.RULES.getParent().toAbsolutePath().normalize() + "/"));
        TestProcesses.Result r = TestProcesses.run(List.of(promtool.toString(), "check", "config", config.toString()), null,
                Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.output());
    }

    @Test
    void metricNamesAreReadFromPromQl() {
        assertEquals(Set.of("groundstate_responses_total", "groundstate:hallucination_ratio:rate1d"),
                OpsFiles.metricNames("sum by (app, model) (rate(groundstate_responses_total{hallucinated=\"true\", "
                        + "app=~\"$app\"}[30m])) > clamp_min(1.5 * groundstate:hallucination_ratio:rate1d, 0.05)"));
        assertEquals(Set.of("up", "groundstate_streams_running"),
                OpsFiles.metricNames("up{job=~\".*groundstate.*\"} == 0 or groundstate_streams_running == 0 "
                        + "or absent(up{job=~\".*groundstate.*\"})"));
    }
}
