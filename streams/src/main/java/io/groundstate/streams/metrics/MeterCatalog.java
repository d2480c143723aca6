package io.groundstate.streams.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import java.util.List;
import java.util.Locale;

/**
 * groundstate's own meters, declared once: the binders build them from these entries, and the metric
 * reference in docs/operations.md is generated from them (a test keeps both in step with a real scrape).
 */
public final class MeterCatalog {
    /**
     * One meter: its dotted name, type, base unit, tag keys and description. Only seconds are a unit here: Micrometer
     * appends a unit to the Prometheus name, and groundstate_events_in_events_total helps nobody.
     */
    public record Entry(String name, Meter.Type type, String baseUnit, List<String> tagKeys, String description) {
        /** The family name Prometheus shows for it. */
        public String prometheusName() {
            String n = new PrometheusNamingConvention().name(name, type, baseUnit);
            // the exposition adds these suffixes back to names the convention stripped them from
            if (type == Meter.Type.COUNTER && !n.endsWith("_total")) {
                return n + "_total";
            }
            return name.endsWith(".info") && !n.endsWith("_info") ? n + "_info" : n;
        }

        /** The sample names a scrape holds for it. */
        public List<String> sampleNames() {
            String n = prometheusName();
            return switch (type) {
                case TIMER, DISTRIBUTION_SUMMARY -> List.of(n + "_bucket", n + "_count", n + "_sum", n + "_max");
                default -> List.of(n);
            };
        }
    }

    private MeterCatalog() {
    }

    private static Entry entry(String name, Meter.Type type, String unit, String description, String... tags) {
        return new Entry(name, type, unit, List.of(tags), description);
    }

    public static final Entry EVENTS_IN = entry("groundstate.events.in", Meter.Type.COUNTER, null,
            "Events that reached the per-request monitor, by kind.", "kind");
    public static final Entry REKEYED = entry("groundstate.events.rekeyed", Meter.Type.COUNTER, null,
            "Events sent through the rekeyed topic to the task that owns their request, by reason: not_keyed (no key, "
                    + "or not the request id), other_partition (the producer's partitioner is not Kafka's murmur2 "
                    + "default, e.g. librdkafka's CRC32) or extra_topic (read from groundstate.topic.extra).", "reason");
    public static final Entry DEAD_LETTERS = entry("groundstate.dead.letters", Meter.Type.COUNTER, null,
            "Records sent to the dead-letter topic, by stage (decode, monitor) and reason code.", "stage", "reason");
    public static final Entry SENTENCES = entry("groundstate.sentences.scored", Meter.Type.COUNTER, null,
            "Generated sentences scored against their context; flagged=true when judged unsupported.",
            "app", "model", "flagged");
    public static final Entry RESPONSES = entry("groundstate.responses", Meter.Type.COUNTER, null,
            "Verdicts on whole responses; ended is finished or idle_timeout.", "app", "model", "hallucinated", "ended");
    public static final Entry ALERTS = entry("groundstate.alerts", Meter.Type.COUNTER, null,
            "Alerts published, by kind (ungrounded_span, fragile_state, drift) and severity.",
            "kind", "severity", "app", "model");
    public static final Entry ENERGY = entry("groundstate.sentence.grounding.energy", Meter.Type.DISTRIBUTION_SUMMARY,
            null, "Grounding energy of each scored sentence: 1 - its cosine to the nearest context sentence.",
            "app", "model");
    public static final Entry PROBABILITY = entry("groundstate.sentence.hallucination.probability",
            Meter.Type.DISTRIBUTION_SUMMARY, null, "Calibrated probability that a scored sentence is unsupported.",
            "app", "model");
    public static final Entry ALERT_LATENCY = entry("groundstate.alert.latency", Meter.Type.TIMER, "seconds",
            "From the event time of the sentence's last token to the alert leaving the monitor (clock skew between "
                    + "the app and the monitor adds to it).", "kind");
    public static final Entry ENCODER_BATCH = entry("groundstate.encoder.batch.size", Meter.Type.DISTRIBUTION_SUMMARY,
            null, "Texts per call to the encoder, after requests were coalesced.");
    public static final Entry ENCODER_RUN = entry("groundstate.encoder.run", Meter.Type.TIMER, "seconds",
            "Duration of one call to the encoder.");
    public static final Entry ENCODER_TEXTS = entry("groundstate.encoder.texts", Meter.Type.COUNTER, null,
            "Texts embedded by the encoder (cache hits excluded).");
    public static final Entry ENCODER_INFO = entry("groundstate.encoder.info", Meter.Type.GAUGE, null,
            "1, tagged with the encoder's model, the device it runs on (cpu, cuda:N) and the device requested.",
            "model", "device", "requested");
    public static final Entry ENCODER_PREFETCH = entry("groundstate.encoder.prefetch.texts", Meter.Type.COUNTER, null,
            "Context texts handed to the background prefetch when context arrives: queued, dropped (backlog full) or "
                    + "failed (their run failed; the scoring that needs them embeds them itself).", "outcome");
    public static final Entry ENCODER_CACHE = entry("groundstate.encoder.cache", Meter.Type.COUNTER, null,
            "Lookups in the embedding cache by outcome: hit (served from the cache, or from another caller's run in "
                    + "progress), miss (embedded by the model), and texts evicted to stay within its size.", "outcome");
    public static final Entry REQUESTS_ACTIVE = entry("groundstate.requests.active", Meter.Type.GAUGE, null,
            "Requests started and not yet ended, in this instance's state (updated every expiry interval).");
    public static final Entry STATE_REQUESTS = entry("groundstate.state.requests", Meter.Type.GAUGE, null,
            "Requests held in this instance's state store, finished ones kept for the retention included.");
    public static final Entry STREAMS_RUNNING = entry("groundstate.streams.running", Meter.Type.GAUGE, null,
            "1 while Kafka Streams is RUNNING, else 0 (starting, rebalancing, restoring, failed).");

    public static final List<Entry> ALL = List.of(EVENTS_IN, REKEYED, DEAD_LETTERS, SENTENCES, RESPONSES, ALERTS, ENERGY,
            PROBABILITY, ALERT_LATENCY, ENCODER_BATCH, ENCODER_RUN, ENCODER_TEXTS, ENCODER_INFO, ENCODER_PREFETCH, ENCODER_CACHE,
            REQUESTS_ACTIVE,
            STATE_REQUESTS, STREAMS_RUNNING);

    /** The metric reference table of docs/operations.md. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| Prometheus name | type | tags | description |\n|---|---|---|---|\n");
        for (Entry e : ALL) {
            String type = switch (e.type()) {
                case TIMER, DISTRIBUTION_SUMMARY -> "histogram";
                default -> e.type().name().toLowerCase(Locale.ROOT);
            };
            b.append("| `").append(e.prometheusName()).append("` | ").append(type).append(" | ")
                    .append(e.tagKeys().isEmpty() ? "" : "`" + String.join("`, `", e.tagKeys()) + "`").append(" | ")
                    .append(e.description()).append(" |\n");
        }
        return b.toString();
    }
}
