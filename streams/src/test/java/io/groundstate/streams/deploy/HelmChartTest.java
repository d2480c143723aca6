package io.groundstate.streams.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.groundstate.streams.config.GroundstateConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart through helm-java (helm lint --strict, helm template), with assertions on what it renders. */
class HelmChartTest {
    static final Path CHART = Path.of("..", "helm", "groundstate");
    static final Path MONITORING = Path.of("..", "helm", "monitoring");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The rendered objects by "Kind/name". */
    static Map<String, JsonNode> render(Path valuesFile) throws IOException {
        var t = new Helm(CHART).template().withName("gs").withKubeVersion("1.30.0");
        if (valuesFile != null) {
            t = t.withValuesFile(valuesFile);
        }
        String out = t.call();
        Map<String, JsonNode> objects = new LinkedHashMap<>();
        try (YAMLParser p = new YAMLFactory().createParser(new StringReader(out))) {
            Iterator<JsonNode> docs = YAML.readValues(p, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode d = docs.next();
                if (d != null && d.has("kind")) {
                    objects.put(d.get("kind").asText() + "/" + d.path("metadata").path("name").asText(), d);
                }
            }
        }
        return objects;
    }

    static Properties properties(Map<String, JsonNode> objects) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(objects.get("ConfigMap/gs-groundstate").path("data").path("groundstate.properties").asText()));
        return p;
    }

    static JsonNode container(Map<String, JsonNode> objects) {
        return objects.get("StatefulSet/gs-groundstate").path("spec").path("template").path("spec").path("containers").get(0);
    }

    static List<String> env(JsonNode container) {
        List<String> names = new ArrayList<>();
        container.path("env").forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    /** helm lint --strict with the given values as the chart's own (LintCommand takes no values file). */
    static LintResult lint(Path dir, Path values) throws IOException {
        Path copy = dir.resolve("groundstate");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(CHART.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        if (values != null) {
            Map<String, Object> merged = YAML.readValue(CHART.resolve("values.yaml").toFile(), Map.class);
            deepMerge(merged, YAML.readValue(values.toFile(), Map.class));
            YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        }
        return new Helm(copy).lint().strict().call();
    }

    @SuppressWarnings("unchecked")
    static void deepMerge(Map<String, Object> base, Map<String, Object> over) {
        over.forEach((k, v) -> {
            if (v instanceof Map && base.get(k) instanceof Map) {
                deepMerge((Map<String, Object>) base.get(k), (Map<String, Object>) v);
            } else {
                base.put(k, v);
            }
        });
    }

    @Test
    void lintsStrictlyWithTheDefaultGpuAndSecuredValues(@TempDir Path dir) throws IOException {
        LintResult plain = new Helm(CHART).lint().strict().call();
        assertFalse(plain.isFailed(), String.join("\n", plain.getMessages()));
        for (String v : List.of("gpu", "secured")) {
            LintResult r = lint(Files.createDirectories(dir.resolve(v)), CHART.resolve("ci/" + v + "-values.yaml"));
            assertFalse(r.isFailed(), v + ": " + String.join("\n", r.getMessages()));
        }
        // the check can fail: a template with a misspelt function
        Path broken = Files.createDirectories(dir.resolve("broken"));
        lint(broken, null);
        Files.writeString(broken.resolve("groundstate/templates/typo.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.metrics.port | quoet }}\n");
        LintResult failed = new Helm(broken.resolve("groundstate")).lint().strict().call();
        assertTrue(failed.isFailed(), String.join("\n", failed.getMessages()));
    }

    @Test
    void theSchemaRejectsBadValues(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "replicaCount: three\n");
        Exception e = assertThrows(Exception.class, () -> render(bad));
        assertTrue(e.getMessage().contains("replicaCount"), e.getMessage());
        Files.writeString(bad, "kafka:\n  securityProtocol: SASL_SCRAM\n");
        assertThrows(Exception.class, () -> render(bad));
        Files.writeString(bad, "replicas: 3\n");
        assertThrows(Exception.class, () -> render(bad), "an unknown value is a typo, not a no-op");
    }

    @Test
    void defaultsRenderAStatefulSetWithStateProbesAndSecurity(@TempDir Path dir) throws IOException {
        Map<String, JsonNode> o = render(null);
        assertTrue(o.keySet().containsAll(List.of("StatefulSet/gs-groundstate", "Service/gs-groundstate-headless",
                "Service/gs-groundstate-metrics", "ConfigMap/gs-groundstate", "ConfigMap/gs-groundstate-dashboard",
                "PodDisruptionBudget/gs-groundstate", "ServiceAccount/gs-groundstate")), o.keySet().toString());
        assertFalse(o.keySet().stream().anyMatch(k -> k.startsWith("ServiceMonitor") || k.startsWith("PrometheusRule")));
        JsonNode sts = o.get("StatefulSet/gs-groundstate");
        assertEquals("gs-groundstate-headless", sts.path("spec").path("serviceName").asText());
        assertEquals("None", o.get("Service/gs-groundstate-headless").path("spec").path("clusterIP").asText());
        JsonNode pod = sts.path("spec").path("template").path("spec");
        assertEquals(60, pod.path("terminationGracePeriodSeconds").asInt());
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        JsonNode c = container(o);
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertFalse(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals("/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/health/live", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("ghcr.io/groundstate/groundstate:0.1.0", c.path("image").asText());
        assertTrue(c.path("resources").path("limits").path("nvidia.com/gpu").isMissingNode());
        assertEquals("state", sts.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText());
        assertEquals("10Gi", sts.path("spec").path("volumeClaimTemplates").get(0).path("spec").path("resources")
                .path("requests").path("storage").asText());
        List<String> mounts = new ArrayList<>();
        c.path("volumeMounts").forEach(m -> mounts.add(m.get("mountPath").asText()));
        assertTrue(mounts.containsAll(List.of("/etc/groundstate", "/var/lib/groundstate", "/tmp")), mounts.toString());

        Properties p = properties(o);
        assertEquals("/var/lib/groundstate/state", p.getProperty("state.dir"));
        assertEquals("1", p.getProperty("num.standby.replicas"));
        assertEquals("${env:POD_NAME}", p.getProperty("group.instance.id"));
        assertEquals("0.0.0.0:9404", p.getProperty(GroundstateConfig.METRICS_ADDRESS));
        assertEquals("PLAINTEXT", p.getProperty("security.protocol"));
        assertNotNull(p.getProperty(GroundstateConfig.TOPIC_EVENTS));
        // the rendered file is a valid configuration, the environment as the pod has it
        Path file = dir.resolve("groundstate.properties");
        Files.writeString(file, o.get("ConfigMap/gs-groundstate").path("data").path("groundstate.properties").asText());
        GroundstateConfig config = GroundstateConfig.load(file, name -> name.equals("POD_NAME") ? "gs-groundstate-0" : null);
        assertEquals("gs-groundstate-0", config.kafka().get("group.instance.id"));
    }

    @Test
    void theGpuSwitchAsksForAGpuOnAGpuNodeWithTheGpuImage() throws IOException {
        Map<String, JsonNode> o = render(CHART.resolve("ci/gpu-values.yaml"));
        JsonNode c = container(o);
        assertEquals("ghcr.io/groundstate/groundstate-gpu:0.1.0", c.path("image").asText());
        assertEquals(1, c.path("resources").path("limits").path("nvidia.com/gpu").asInt());
        assertEquals("6Gi", c.path("resources").path("limits").path("memory").asText(), "the GPU limit joins the others");
        JsonNode pod = o.get("StatefulSet/gs-groundstate").path("spec").path("template").path("spec");
        assertEquals("true", pod.path("nodeSelector").path("nvidia.com/gpu.present").asText());
        assertEquals("nvidia.com/gpu", pod.path("tolerations").get(0).path("key").asText());
        Properties p = properties(o);
        assertEquals("cuda", p.getProperty(GroundstateConfig.ENCODER_DEVICE), "so GroundstateEncoderOnCpu can fire");
        assertEquals("64", p.getProperty(GroundstateConfig.ENCODER_BATCH));
    }

    @Test
    void securedValuesReadSaslCredentialsAndTheCaFromSecretsAndNeverPutThemInTheConfigMap() throws IOException {
        Map<String, JsonNode> o = render(CHART.resolve("ci/secured-values.yaml"));
        Properties p = properties(o);
        assertEquals("SASL_SSL", p.getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-512", p.getProperty("sasl.mechanism"));
        String jaas = p.getProperty("sasl.jaas.config");
        assertTrue(jaas.startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required"), jaas);
        assertTrue(jaas.contains("${env:KAFKA_SASL_PASSWORD}"), "the password stays a reference: " + jaas);
        assertEquals("PEM", p.getProperty("ssl.truststore.type"));
        assertEquals("/etc/kafka-tls/ca.crt", p.getProperty("ssl.truststore.location"));
        assertEquals("llm.events", p.getProperty(GroundstateConfig.TOPIC_EVENTS));
        assertEquals("false", p.getProperty(GroundstateConfig.OUTPUT_TEXT));
        JsonNode c = container(o);
        assertTrue(env(c).containsAll(List.of("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD")), env(c).toString());
        for (JsonNode e : c.path("env")) {
            if (e.get("name").asText().startsWith("KAFKA_SASL")) {
                assertEquals("groundstate-kafka-user", e.path("valueFrom").path("secretKeyRef").path("name").asText());
                assertTrue(e.path("value").isMissingNode(), "a secret is referenced, never inlined");
            }
        }
        JsonNode pod = o.get("StatefulSet/gs-groundstate").path("spec").path("template").path("spec");
        boolean caMounted = false;
        for (JsonNode v : pod.path("volumes")) {
            caMounted |= "kafka-cluster-ca".equals(v.path("secret").path("secretName").asText());
        }
        assertTrue(caMounted);
        assertEquals("prometheus", o.get("ServiceMonitor/gs-groundstate").path("metadata").path("labels").path("release").asText());
        assertEquals("metrics", o.get("ServiceMonitor/gs-groundstate").path("spec").path("endpoints").get(0).path("port").asText());
        // the PrometheusRule carries exactly the shipped rules
        JsonNode rules = YAML.readTree(MONITORING.resolve("rules/groundstate.rules.yml").toFile());
        assertEquals(rules.get("groups"), o.get("PrometheusRule/gs-groundstate").path("spec").path("groups"));
    }

    @Test
    void saslWithoutASecretIsAClearError(@TempDir Path dir) throws IOException {
        Path v = dir.resolve("v.yaml");
        Files.writeString(v, "kafka:\n  securityProtocol: SASL_SSL\n");
        Exception e = assertThrows(Exception.class, () -> render(v));
        assertTrue(e.getMessage().contains("kafka.sasl.existingSecret is required"), e.getMessage());
    }

    @Test
    void theChartsDashboardAndRulesAreByteIdenticalToTheirSingleSource() throws IOException {
        assertArrayEquals(Files.readAllBytes(MONITORING.resolve("rules/groundstate.rules.yml")),
                Files.readAllBytes(CHART.resolve("files/groundstate.rules.yml")),
                "cp helm/monitoring/rules/groundstate.rules.yml helm/groundstate/files/");
        assertArrayEquals(Files.readAllBytes(MONITORING.resolve("dashboards/groundstate.json")),
                Files.readAllBytes(CHART.resolve("files/groundstate.json")),
                "cp helm/monitoring/dashboards/groundstate.json helm/groundstate/files/");
        Map<String, JsonNode> o = render(null);
        JsonNode dashboard = o.get("ConfigMap/gs-groundstate-dashboard");
        assertEquals("1", dashboard.path("metadata").path("labels").path("grafana_dashboard").asText());
        assertEquals(Files.readString(MONITORING.resolve("dashboards/groundstate.json")).strip(),
                dashboard.path("data").path("groundstate.json").asText().strip());
    }

    @Test
    void theReadmeDescribesEveryValue() throws IOException {
        String readme = Files.readString(CHART.resolve("README.md"));
        List<String> missing = new ArrayList<>();
        collectLeaves("", YAML.readTree(CHART.resolve("values.yaml").toFile()), missing, readme);
        assertTrue(missing.isEmpty(), "values without a row in helm/groundstate/README.md: " + missing);
    }

    private static void collectLeaves(String prefix, JsonNode node, List<String> missing, String readme) {
        // maps of free-form settings (labels, selectors, groundstate.config) are one value each
        boolean freeForm = prefix.endsWith("labels") || prefix.endsWith("nodeSelector") || prefix.endsWith("config")
                || prefix.endsWith("resources") || prefix.endsWith("ecurityContext") || prefix.endsWith("Annotations");
        if (node.isObject() && node.size() > 0 && !freeForm) {
            node.fields().forEachRemaining(e -> collectLeaves(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), missing, readme));
        } else if (!readme.contains("| `" + prefix + "` |")) {
            missing.add(prefix);
        }
    }
}
