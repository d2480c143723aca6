package io.groundstate.streams.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.schemas.SchemaException;
import io.groundstate.streams.topology.DeadLetters;
import io.groundstate.streams.topology.EventMapping;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Tag bounds, reason codes, the encoder's meters, the HTTP endpoint and the generated metric reference. */
class MetricsUnitTest {
    @Test
    void anAllowListTagsOnlyItsNamesAndTheRestAreOther() {
        TagValues t = new TagValues(List.of("support-bot", " search "), 10);
        assertEquals("support-bot", t.of("support-bot"));
        assertEquals("search", t.of("search"));
        assertEquals(TagValues.OTHER, t.of("req-123"));
        assertEquals(TagValues.UNKNOWN, t.of(""));
        assertEquals(TagValues.UNKNOWN, t.of(null));
    }

    @Test
    void withoutAListTheFirstFewNamesPassAndNoMore() {
        TagValues t = new TagValues(List.of(), 2);
        assertEquals("a", t.of("a"));
        assertEquals("b", t.of("b"));
        assertEquals(TagValues.OTHER, t.of("c"));
        assertEquals("a", t.of("a"), "an admitted name stays admitted");
        assertEquals(TagValues.OTHER, new TagValues(List.of(), 5).of("x".repeat(TagValues.MAX_LENGTH + 1)));
        assertEquals(TagValues.OTHER, new TagValues(List.of(), 0).of("a"));
    }

    @Test
    void everyDecodeFailureGetsOneOfTheRegisteredReasonCodes() {
        Map<String, String> cases = Map.of(
                "", "empty",
                "{\"kind\": ", "not_json",
                "[1, 2]", "not_object",
                "{\"request_id\": \"r\"}", "missing_kind",
                "{\"kind\": \"shout\", \"request_id\": \"r\"}", "unknown_kind",
                "{\"kind\":\"token_delta\",\"request_id\":\"x\",\"event_time\":1,\"text\":\"hi\"}", "invalid_field",
                "{\"kind\":\"token_delta\",\"request_id\":\"x\",\"event_time\":1,\"index\":-4,\"text\":\"hi\"}", "invalid_field",
                "{\"kind\":\"request_finished\",\"request_id\":\" \",\"event_time\":1}", "invalid_field");
        cases.forEach((input, code) -> {
            SchemaException e = assertThrows(SchemaException.class,
                    () -> EventMapping.parse(input.getBytes(StandardCharsets.UTF_8)), input);
            assertEquals(code, e.reason().code(), e.getMessage());
        });
        SchemaException utf8 = assertThrows(SchemaException.class, () -> EventMapping.parse(new byte[] {(byte) 0xFF, 0x7B}));
        assertEquals("invalid_utf8", utf8.reason().code(), utf8.getMessage());
        SchemaException avro = assertThrows(SchemaException.class,
                () -> EventMapping.parse(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3}));
        assertTrue(List.of("corrupt_avro", "unknown_schema").contains(avro.reason().code()), avro.getMessage());
        assertTrue(DeadLetters.DECODE_REASON_CODES.containsAll(List.of("empty", "not_json", "invalid_field")));
    }

    @Test
    void theEncoderMetersCountTextsAndCallsAndNameTheDevice() {
        Encoder fake = new Encoder() {
            @Override
            public String id() {
                return "fake";
            }

            @Override
            public int dimension() {
                return 2;
            }

            @Override
            public float[][] embed(List<String> texts) {
                return texts.stream().map(t -> new float[] {1, 0}).toArray(float[][]::new);
            }
        };
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MeteredEncoder e = new MeteredEncoder(fake, "cuda");
        e.bindTo(registry);
        e.embed(List.of("a", "b", "c"));
        e.embed(List.of("d"));
        e.embedWithout("some text", List.of(new int[] {0, 4}));
        assertEquals(5, registry.get("groundstate.encoder.texts").counter().count());
        assertEquals(3, registry.get("groundstate.encoder.run").timer().count());
        assertEquals(5, registry.get("groundstate.encoder.batch.size").summary().totalAmount());
        String text = registry.scrape();
        assertTrue(text.contains("groundstate_encoder_info{device=\"cpu\",model=\"fake\",requested=\"cuda\"} 1"), text);
    }

    @Test
    void theEndpointServesMetricsAndHealthFollowsTheState() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GroundstateMetrics metrics = GroundstateMetrics.unbound();
        metrics.bindTo(registry);
        metrics.deadLetter(DeadLetters.STAGE_DECODE, "not_json");
        AtomicReference<MetricsServer.Health> health = new AtomicReference<>(new MetricsServer.Health(true, false, "STARTING"));
        try (MetricsServer server = MetricsServer.start("127.0.0.1:0", registry, health::get)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("\"streams\":\"STARTING\""), ready.body());
            health.set(new MetricsServer.Health(true, true, "RUNNING"));
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            health.set(new MetricsServer.Health(false, false, "ERROR"));
            assertEquals(503, http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());

            HttpResponse<byte[]> gz = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
            String text = new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertTrue(text.contains("groundstate_dead_letters_total{reason=\"not_json\",stage=\"decode\"} 1.0"), text);
            assertTrue(text.contains("groundstate_dead_letters_total{reason=\"empty\",stage=\"decode\"} 0.0"), text);
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aBusyOrMalformedAddressIsAClearError() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MetricsServer first = MetricsServer.start("127.0.0.1:0", registry, () -> null)) {
            IllegalStateException busy = assertThrows(IllegalStateException.class,
                    () -> MetricsServer.start("127.0.0.1:" + first.port(), registry, () -> null));
            assertTrue(busy.getMessage().contains("groundstate.metrics.address"), busy.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MetricsServer.parse("9404"));
        assertThrows(IllegalArgumentException.class, () -> MetricsServer.parse("host:http"));
        assertEquals(9404, MetricsServer.parse("[::1]:9404").getPort());
        assertTrue(MetricsServer.parse(":9404").getAddress().isAnyLocalAddress());
    }

    @Test
    void aMeterWithTagsOtherThanItsCatalogueEntryIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> GroundstateMetrics.checked(MeterCatalog.DEAD_LETTERS, "stage", "decode", "request_id", "r-1"));
    }

    @Test
    void operationsMdHoldsTheGeneratedMetricReference() throws Exception {
        String doc = Files.readString(OpsFiles.OPERATIONS);
        String begin = "<!-- metric reference: generated from MeterCatalog -->\n";
        String end = "<!-- end of metric reference -->";
        int b = doc.indexOf(begin);
        int e = doc.indexOf(end);
        assertTrue(b >= 0 && e > b, "docs/operations.md lacks the metric reference markers");
        assertEquals(MeterCatalog.markdown(), doc.substring(b + begin.length(), e),
                "docs/operations.md's metric reference is stale; paste MeterCatalog.markdown() between the markers");
    }
}
