package io.groundstate.streams.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shipped operations files and the PromQL in them. */
final class OpsFiles {
    static final Path MONITORING = Path.of("..", "helm", "monitoring");
    static final Path RULES = MONITORING.resolve("rules/groundstate.rules.yml");
    static final Path RULE_TESTS = MONITORING.resolve("rules/groundstate.rules.test.yml");
    static final Path DASHBOARD = MONITORING.resolve("dashboards/groundstate.json");
    static final Path PROMETHEUS_CONFIG = MONITORING.resolve("prometheus/prometheus.yml");
    static final Path OPERATIONS = Path.of("..", "docs", "operations.md");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    private OpsFiles() {
    }

    static JsonNode yaml(Path p) throws IOException {
        return YAML.readTree(p.toFile());
    }

    /** Every rule of the rules file, alerting and recording. */
    static List<JsonNode> rules() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode g : yaml(RULES).get("groups")) {
            g.get("rules").forEach(out::add);
        }
        return out;
    }

    static Map<String, JsonNode> alerts() throws IOException {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode r : rules()) {
            if (r.has("alert")) {
                m.put(r.get("alert").asText(), r);
            }
        }
        return m;
    }

    /** Every PromQL expression of the dashboard, with Grafana's variables replaced as Grafana would. */
    static List<String> dashboardExpressions() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).get("panels")) {
            for (JsonNode t : panel.path("targets")) {
                out.add(t.get("expr").asText().replace("$__rate_interval", "1m").replace("$app", ".*")
                        .replace("$model", ".*"));
            }
        }
        return out;
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");

    /** The metric names an expression selects: identifiers that are not functions, keywords or label names. */
    static Set<String> metricNames(String expr) {
        String withoutStrings = STRING.matcher(expr).replaceAll("\"\"");
        // label matchers are inside {...}, ranges and subqueries inside [...], grouping labels inside by (...)
        String cleaned = GROUPING.matcher(withoutStrings.replaceAll("\\[[^\\]]*]", "")).replaceAll("")
                .replaceAll("\\{[^}]*}", "");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(cleaned);
        while (m.find()) {
            String n = m.group();
            int end = m.end();
            boolean call = end < cleaned.length() && cleaned.substring(end).stripLeading().startsWith("(");
            if (!call && !KEYWORDS.contains(n)) {
                names.add(n);
            }
        }
        return names;
    }
}
