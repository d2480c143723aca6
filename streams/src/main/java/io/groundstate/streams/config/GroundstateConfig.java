package io.groundstate.streams.config;

import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.MonitorOutput;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import io.groundstate.streams.topology.EventMapping;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * groundstate's settings, typed, validated and documented from one definition. Every key that is not a
 * groundstate key is a Kafka client or Streams setting and is passed through unchanged (SASL, TLS, ...).
 * Values may name environment variables as {@code ${env:NAME}}, so secrets stay out of files.
 */
public final class GroundstateConfig extends AbstractConfig {
    public static final String PREFIX = "groundstate.";

    public static final String TOPIC_EVENTS = "groundstate.topic.events";
    public static final String TOPIC_EXTRA = "groundstate.topic.extra";
    public static final String TOPIC_REKEYED = "groundstate.topic.rekeyed";
    public static final String TOPIC_ALERTS = "groundstate.topic.alerts";
    public static final String TOPIC_SPANS = "groundstate.topic.spans";
    public static final String TOPIC_VERDICTS = "groundstate.topic.verdicts";
    public static final String TOPIC_DLQ = "groundstate.topic.dlq";
    public static final String TOPICS_CREATE = "groundstate.topics.create";
    public static final String TOPICS_PARTITIONS = "groundstate.topics.partitions";
    public static final String TOPICS_REPLICATION = "groundstate.topics.replication.factor";
    public static final String OUTPUT_FORMAT = "groundstate.output.format";
    public static final String OUTPUT_TEXT = "groundstate.output.text";
    public static final String COMMIT_ON_ALERT = "groundstate.commit.on.alert";
    public static final String ALERT_KINDS = "groundstate.alert.kinds";
    public static final String ENCODER_MODEL = "groundstate.encoder.model";
    public static final String ENCODER_DEVICE = "groundstate.encoder.device";
    public static final String ENCODER_BATCH = "groundstate.encoder.batch.size";
    public static final String ENCODER_PREFETCH = "groundstate.encoder.prefetch";
    public static final String WEIGHTS = "groundstate.weights";
    public static final String PERTURBATION_TOKENS = "groundstate.perturbation.tokens";
    public static final String PERTURBATION_MODE = "groundstate.perturbation.mode";
    public static final String IDLE_TIMEOUT_MS = "groundstate.request.idle.timeout.ms";
    public static final String MAX_RECORD_BYTES = "groundstate.input.max.record.bytes";
    public static final String MAX_TOKEN_DELTAS = "groundstate.request.max.token.deltas";
    public static final String MAX_CHUNKS = "groundstate.request.max.chunks";
    public static final String MAX_TEXT_BYTES = "groundstate.request.max.text.bytes";
    public static final String RETENTION_MS = "groundstate.request.retention.ms";
    public static final String EXPIRY_INTERVAL_MS = "groundstate.expiry.interval.ms";
    public static final String LIVE_REQUESTS = "groundstate.request.live.max";
    public static final String STATIC_MEMBERSHIP = "groundstate.static.membership";
    public static final String SHUTDOWN_LEAVE_GROUP = "groundstate.shutdown.leave.group";
    public static final String EMBEDDED_DIR = "groundstate.embedded.dir";
    public static final String EMBEDDED_PORT = "groundstate.embedded.port";
    public static final String METRICS_ENABLED = "groundstate.metrics.enabled";
    public static final String METRICS_ADDRESS = "groundstate.metrics.address";
    public static final String METRICS_APPS = "groundstate.metrics.apps";
    public static final String METRICS_MODELS = "groundstate.metrics.models";
    public static final String METRICS_TAG_VALUES_MAX = "groundstate.metrics.tag.values.max";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(TOPIC_EVENTS, Type.STRING, "groundstate.events", Importance.HIGH,
                    "Input topic of the apps' events, keyed by request id.")
            .define(TOPIC_EXTRA, Type.LIST, "", Importance.MEDIUM,
                    "Further input topics merged in (retrieval logged by another service). Their records are "
                            + "re-keyed by request id through the rekeyed topic, whatever their own key.")
            .define(TOPIC_REKEYED, Type.STRING, "groundstate.events.rekeyed", Importance.LOW,
                    "Topic through which events not keyed by their request id are re-keyed; it gets the partition "
                            + "count of the events topic.")
            .define(TOPIC_ALERTS, Type.STRING, "groundstate.alerts", Importance.HIGH, "Output topic of alerts.")
            .define(TOPIC_SPANS, Type.STRING, "groundstate.spans", Importance.MEDIUM,
                    "Output topic of every sentence's scores.")
            .define(TOPIC_VERDICTS, Type.STRING, "groundstate.verdicts", Importance.HIGH,
                    "Output topic of one verdict per request.")
            .define(TOPIC_DLQ, Type.STRING, "groundstate.dlq", Importance.HIGH,
                    "Dead letters: the original bytes, with the reason and source topic, partition and offset in headers.")
            .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create missing topics at start-up (existing topics are left as they are); false makes a missing topic "
                            + "an error at start-up.")
            .define(TOPICS_PARTITIONS, Type.INT, 6, Range.atLeast(1), Importance.MEDIUM,
                    "Partitions of topics groundstate creates; the most instances x threads that can share the work.")
            .define(TOPICS_REPLICATION, Type.SHORT, (short) -1, Importance.MEDIUM,
                    "Replication factor of topics groundstate creates; -1 takes the broker's default.")
            .define(OUTPUT_FORMAT, Type.STRING, "json", ValidString.in("json", "avro"), Importance.MEDIUM,
                    "Encoding of outputs: json (the schemas' JSON form) or avro (single-object encoding).")
            .define(OUTPUT_TEXT, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Include sentence text in outputs; false redacts it (offsets stay).")
            .define(ALERT_KINDS, Type.LIST, "UNGROUNDED_SPAN", Importance.MEDIUM,
                    "Alert kinds published: any of UNGROUNDED_SPAN, FRAGILE_STATE, DRIFT (empty: none). Held out, "
                            + "fragile-state and drift alerts were right 6% and 14% of the time (docs/evaluation.md), "
                            + "so only UNGROUNDED_SPAN is on by default. A kind left out is still measured in every "
                            + "span score.")
            .define(COMMIT_ON_ALERT, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Under exactly-once, an alert asks for a commit at once instead of waiting for "
                            + "commit.interval.ms, so read_committed consumers see it sooner; commits asked for this way "
                            + "are kept at least 20 ms and 9 mean commit times apart (about 10% of a stream thread), and "
                            + "an alert inside that gap goes with the next commit. On 2 cores it took the alert p99 at "
                            + "half load from 303-387 ms to 165-221 ms (docs/benchmarks.md).")
            .define(ENCODER_MODEL, Type.STRING, EncoderSpec.DEFAULT_MODEL, Importance.HIGH,
                    "Encoder: all-minilm-l6-v2-q (int8), all-minilm-l6-v2, bge-small-en-v1.5-q, or the path of an .onnx file with tokenizer.json beside it.")
            .define(ENCODER_DEVICE, Type.STRING, "auto", Importance.MEDIUM,
                    "auto, cpu, cuda or cuda:N; auto and cuda fall back to CPU with a warning.")
            .define(ENCODER_BATCH, Type.INT, 8, Range.between(1, 1024), Importance.LOW,
                    "Texts per encoder run; small batches pad less (on 2 CPU cores 8 beat 32 by 1.4x), a GPU wants more.")
            .define(ENCODER_PREFETCH, Type.BOOLEAN, true, Importance.LOW,
                    "Embed a request's context (basis, question, context words) on a background thread as soon as it "
                    + "arrives, while no scoring is embedding, so its first sentence, and the requests queued behind it on "
                    + "the stream thread, need not wait for it. Results are the same either way. On 2 cores it lowered the "
                    + "alert p99 at half load from a median of 529 ms to 328 ms and left the highest rate as it was "
                    + "(docs/benchmarks.md).")
            .define(WEIGHTS, Type.STRING, "", Importance.MEDIUM,
                    "Combiner weights JSON from calibrate; empty takes the shipped weights.")
            .define(PERTURBATION_MODE, Type.STRING, "occlusion", ConfigDef.ValidString.in("occlusion", "reembed"),
                    Importance.LOW, "occlusion: leave each content token out of the mean pool of the sentence's own "
                            + "encoder run (no extra run); reembed: re-embed the sentence without it (one run per token).")
            .define(PERTURBATION_TOKENS, Type.INT, 8, Range.between(0, 64), Importance.LOW,
                    "Content tokens removed one at a time per sentence; 0 turns perturbation off.")
            .define(MAX_RECORD_BYTES, Type.INT, EventMapping.DEFAULT_MAX_RECORD_BYTES, Range.atLeast(64), Importance.MEDIUM,
                    "Records larger than this are dead-lettered (too_large) without being parsed.")
            .define(MAX_TOKEN_DELTAS, Type.INT, MonitorConfig.Limits.defaults().maxTokenDeltas(), Range.atLeast(1),
                    Importance.MEDIUM, "Token deltas accepted per request; later ones are dead-lettered "
                            + "(request_token_limit) and the request is judged on what it had.")
            .define(MAX_CHUNKS, Type.INT, MonitorConfig.Limits.defaults().maxChunks(), Range.atLeast(1), Importance.MEDIUM,
                    "Distinct context chunks accepted per request; later ones are dead-lettered (request_chunk_limit).")
            .define(MAX_TEXT_BYTES, Type.LONG, MonitorConfig.Limits.defaults().maxTextBytes(), Range.atLeast(1),
                    Importance.MEDIUM, "UTF-8 bytes of prompt, context and token text accepted per request; an event "
                            + "that would pass it is dead-lettered (request_byte_limit).")
            .define(IDLE_TIMEOUT_MS, Type.LONG, 120_000L, Range.atLeast(1), Importance.MEDIUM,
                    "A request with no event for this long (wall clock) gets its verdict with finish reason idle_timeout, "
                            + "at the next sweep after it (its activity is recorded at most every hundredth of this, "
                            + "1 s at most, so the sweep waits that much more: never early).")
            .define(RETENTION_MS, Type.LONG, 300_000L, Range.atLeast(0), Importance.MEDIUM,
                    "How long a finished request's state is kept, so repeated and late events are recognised, "
                            + "before it is deleted.")
            .define(EXPIRY_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(10), Importance.LOW,
                    "How often idle and finished requests are looked for.")
            .define(LIVE_REQUESTS, Type.INT, 1000, Range.atLeast(1), Importance.LOW,
                    "Requests per task kept in memory as objects between events (the store holds them all; this "
                            + "saves reading and rebuilding them). Changed states are serialised to the store at each "
                            + "commit, not at each event.")
            .define(STATIC_MEMBERSHIP, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Join the consumer group as a static member when group.instance.id is not set: the id is made once "
                            + "and kept in the state directory (state.dir/application.id/groundstate-instance.id), so an "
                            + "instance restarted on the same state (a crash, a SIGKILL, a container restart) takes back "
                            + "its tasks at once instead of waiting for its old session to expire. A member that does not "
                            + "come back keeps its tasks until session.timeout.ms. Two instances must never share a state "
                            + "directory (Kafka Streams' lock refuses it) or a copy of one.")
            .define(SHUTDOWN_LEAVE_GROUP, Type.BOOLEAN, true, Importance.LOW,
                    "On a clean shutdown (SIGTERM), leave the consumer group, static member or not, so that the other "
                            + "instances take the tasks over at once. false: a static member keeps its tasks for "
                            + "session.timeout.ms, which saves a rebalance when it is back sooner (a rolling restart) "
                            + "and stalls its partitions when it is not (a scale-down).")
            .define(EMBEDDED_DIR, Type.STRING, "", Importance.LOW,
                    "Data directory of the embedded broker (used when bootstrap.servers is empty); empty: a temporary one.")
            .define(EMBEDDED_PORT, Type.INT, 0, Range.between(0, 65535), Importance.LOW,
                    "Port of the embedded broker; 0 picks a free one.")
            .define(METRICS_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Serve /metrics (Prometheus text and OpenMetrics) and /health, /health/live, /health/ready over HTTP.")
            .define(METRICS_ADDRESS, Type.STRING, "0.0.0.0:9404", Importance.MEDIUM,
                    "host:port the metrics and health endpoint binds to ([::]:9404 for IPv6; port 0 picks a free one).")
            .define(METRICS_APPS, Type.LIST, "", Importance.MEDIUM,
                    "Apps that get their own app tag on metrics; any other app is tagged other. Empty: the first "
                            + METRICS_TAG_VALUES_MAX + " apps seen by each instance.")
            .define(METRICS_MODELS, Type.LIST, "", Importance.MEDIUM,
                    "Models that get their own model tag on metrics; any other model is tagged other. Empty: the first "
                            + METRICS_TAG_VALUES_MAX + " models seen by each instance.")
            .define(METRICS_TAG_VALUES_MAX, Type.INT, 10, Range.between(0, 1000), Importance.LOW,
                    "With an empty allow-list, how many distinct apps (and models) an instance tags by name before "
                            + "tagging the rest other; it bounds the series an instance exports.");

    /** Kafka settings whose defaults groundstate changes, and why. */
    public static final Map<String, Object> KAFKA_DEFAULTS = kafkaDefaults();
    static final Map<String, String> KAFKA_DEFAULT_REASONS = Map.of(
            StreamsConfig.APPLICATION_ID_CONFIG, "Consumer group and prefix of internal topics and state.",
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "State, outputs and offsets commit together.",
            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "Spans and verdicts (and alerts, with groundstate.commit.on.alert "
                    + "off) become visible to read_committed consumers this often.",
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "Empty starts the embedded single-node KRaft broker.",
            "processing.exception.handler.global.enabled", "Kafka 5.0's default, taken now.",
            "session.timeout.ms", "How long a member that stopped without leaving keeps its tasks. A restarted "
                    + "static member (groundstate.static.membership) takes them back at once whatever this is; one that "
                    + "does not come back has them moved after this long (Kafka's 45 s default, shortened).",
            StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "Tasks process what they have instead of waiting for the rekeyed "
                    + "partition, which stays empty unless events come keyed otherwise, from a producer that partitions "
                    + "unlike Java, or from an extra topic; the monitor orders a request's events itself. With the default (0), Kafka Streams formats a log line at every "
                    + "processing pass while that partition is empty.");

    private static Map<String, Object> kafkaDefaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "");
        m.put(StreamsConfig.APPLICATION_ID_CONFIG, "groundstate");
        m.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        m.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        m.put("processing.exception.handler.global.enabled", true);
        m.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        m.put("session.timeout.ms", 30_000);
        return m;
    }

    private final Map<String, Object> kafka;

    public GroundstateConfig(Map<String, ?> settings) {
        super(DEFINITION, groundstateOnly(settings), false);
        Map<String, Object> k = new LinkedHashMap<>(KAFKA_DEFAULTS);
        settings.forEach((key, v) -> {
            if (!key.startsWith(PREFIX)) {
                k.put(key, v);
            }
        });
        for (String key : settings.keySet()) {
            if (key.startsWith(PREFIX) && !DEFINITION.names().contains(key)) {
                throw new ConfigException("unknown setting " + key + " (see docs/configuration.md)");
            }
        }
        this.kafka = k;
    }

    public static GroundstateConfig defaults() {
        return new GroundstateConfig(Map.of());
    }

    private static Map<String, Object> groundstateOnly(Map<String, ?> settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** Reads a properties file, expanding {@code ${env:NAME}} from the environment. */
    public static GroundstateConfig load(Path file, UnaryOperator<String> environment) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new ConfigException("no such config file: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, expand(k, p.getProperty(k), environment));
        }
        return new GroundstateConfig(m);
    }

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    static String expand(String key, String value, UnaryOperator<String> environment) {
        Matcher m = ENV.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = environment.apply(m.group(1));
            if (v == null) {
                throw new ConfigException(key + " names the environment variable " + m.group(1) + ", which is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The Kafka settings: groundstate's defaults, then everything the user gave that is not a groundstate key. */
    public Map<String, Object> kafka() {
        return new LinkedHashMap<>(kafka);
    }

    public String bootstrapServers() {
        return String.valueOf(kafka.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).trim();
    }

    /** The alert kinds to publish. */
    public Set<MonitorOutput.AlertKind> alertKinds() {
        return parseAlertKinds(getList(ALERT_KINDS), ALERT_KINDS);
    }

    /** Alert kind names, as a setting or an option gives them; an unknown name is an error that lists the kinds. */
    public static Set<MonitorOutput.AlertKind> parseAlertKinds(List<String> names, String where) {
        Set<MonitorOutput.AlertKind> out = EnumSet.noneOf(MonitorOutput.AlertKind.class);
        for (String n : names) {
            String k = n.trim().toUpperCase(Locale.ROOT);
            if (k.isEmpty()) {
                continue;
            }
            try {
                out.add(MonitorOutput.AlertKind.valueOf(k));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where, n, "not an alert kind; the kinds are "
                        + Arrays.toString(MonitorOutput.AlertKind.values()));
            }
        }
        return out;
    }

    /** The per-request input limits. */
    public MonitorConfig.Limits requestLimits() {
        return new MonitorConfig.Limits(getInt(MAX_TOKEN_DELTAS), getInt(MAX_CHUNKS), getLong(MAX_TEXT_BYTES));
    }

    public boolean embedded() {
        return bootstrapServers().isEmpty();
    }

    /** A copy with the given Kafka or groundstate settings replaced (the embedded broker fills in bootstrap.servers). */
    public GroundstateConfig with(Map<String, ?> overrides) {
        Map<String, Object> m = new LinkedHashMap<>(originals());
        m.putAll(kafka);
        m.putAll(overrides);
        return new GroundstateConfig(m);
    }

    public List<String> extraTopics() {
        return getList(TOPIC_EXTRA).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Whether an alert asks for a commit at once: only where outputs wait for one (exactly-once). */
    public boolean commitOnAlert() {
        return getBoolean(COMMIT_ON_ALERT)
                && StreamsConfig.EXACTLY_ONCE_V2.equals(String.valueOf(kafka.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)));
    }

    public boolean avroOutput() {
        return "avro".equals(getString(OUTPUT_FORMAT).toLowerCase(Locale.ROOT));
    }

    /** docs/configuration.md, generated from the definitions above. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Configuration\n\n");
        b.append("<!-- Generated by `bin/groundstate config-docs` from GroundstateConfig; a test keeps it in step. -->\n\n");
        b.append("`groundstate run --config FILE` reads a Java properties file. Keys starting with `groundstate.` are\n");
        b.append("groundstate's own, typed and validated below; an unknown `groundstate.` key is an error. Every other key\n");
        b.append("is a Kafka Streams or client setting and is passed through unchanged, so SASL, TLS and tuning work as\n");
        b.append("documented by Kafka (prefix with `consumer.`, `producer.` or `admin.` to reach one client only).\n\n");
        b.append("A value may name environment variables as `${env:NAME}` (for example\n");
        b.append("`sasl.jaas.config=... password=\"${env:KAFKA_PASSWORD}\";`); an unset variable is an error at start-up.\n\n");
        b.append("## groundstate settings\n\n");
        b.append("| key | type | default | valid values | importance | description |\n|---|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey k : DEFINITION.configKeys().values()) {
            String def = k.hasDefault() ? String.valueOf(k.defaultValue) : "(required)";
            if (k.type == Type.LIST && def.equals("[]")) {
                def = "";
            }
            b.append("| `").append(k.name).append("` | ").append(k.type.name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(def.isEmpty() ? "(empty)" : "`" + def + "`").append(" | ")
                    .append(k.validator == null ? "" : cell(k.validator.toString())).append(" | ")
                    .append(k.importance.name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(cell(k.documentation)).append(" |\n");
        }
        b.append("\n## Kafka settings groundstate sets differently\n\n");
        b.append("| key | groundstate default | why |\n|---|---|---|\n");
        KAFKA_DEFAULTS.forEach((k, v) -> b.append("| `").append(k).append("` | ")
                .append(String.valueOf(v).isEmpty() ? "(empty)" : "`" + v + "`").append(" | ")
                .append(KAFKA_DEFAULT_REASONS.get(k)).append(" |\n"));
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
