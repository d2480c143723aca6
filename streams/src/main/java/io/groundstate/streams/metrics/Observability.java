package io.groundstate.streams.metrics;

import io.groundstate.streams.config.GroundstateConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The monitor's registry, its binders and its HTTP endpoint, opened together and closed together. The endpoint
 * starts first, so liveness answers while the model loads and state restores; readiness follows Kafka Streams.
 */
public final class Observability implements AutoCloseable {
    /** How often new Kafka client metrics (a partition's lag after an assignment) are picked up. */
    static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GroundstateMetrics metrics;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicReference<KafkaStreams> streams = new AtomicReference<>();
    private final ScheduledExecutorService kafkaRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "groundstate-kafka-metrics");
        t.setDaemon(true);
        return t;
    });
    private final MetricsServer server;

    private Observability(GroundstateConfig config) {
        Set<String> deprecatedTopicNames = deprecatedTopicNames(config);
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().startsWith("kafka.")
                && deprecatedTopicNames.contains(id.getTag("topic"))))
                .meterFilter(new PrometheusConventions());
        int firstSeen = config.getInt(GroundstateConfig.METRICS_TAG_VALUES_MAX);
        metrics = new GroundstateMetrics(new TagValues(config.getList(GroundstateConfig.METRICS_APPS), firstSeen),
                new TagValues(config.getList(GroundstateConfig.METRICS_MODELS), firstSeen));
        bind(metrics);
        JvmGcMetrics gc = new JvmGcMetrics();
        closeables.add(gc);
        for (MeterBinder b : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new JvmInfoMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
            bind(b);
        }
        MeterCatalog.Entry running = MeterCatalog.STREAMS_RUNNING;
        Gauge.builder(running.name(), streams, s -> s.get() != null && s.get().state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description(running.description()).register(registry);
        server = config.getBoolean(GroundstateConfig.METRICS_ENABLED)
                ? MetricsServer.start(config.getString(GroundstateConfig.METRICS_ADDRESS), registry, this::health)
                : null;
    }

    /**
     * Kafka clients report a topic with periods twice, once under its name with underscores (deprecated); both
     * would double every sum over topics, so the underscored copies of groundstate's topics are dropped.
     */
    static Set<String> deprecatedTopicNames(GroundstateConfig c) {
        return Stream.concat(Stream.of(GroundstateConfig.TOPIC_EVENTS, GroundstateConfig.TOPIC_REKEYED,
                        GroundstateConfig.TOPIC_ALERTS, GroundstateConfig.TOPIC_SPANS, GroundstateConfig.TOPIC_VERDICTS,
                        GroundstateConfig.TOPIC_DLQ).map(c::getString), c.extraTopics().stream())
                .filter(t -> t.contains(".")).map(t -> t.replace('.', '_')).collect(Collectors.toSet());
    }

    /** Builds the registry and binders and, when enabled, starts the endpoint. */
    public static Observability start(GroundstateConfig config) {
        return new Observability(config);
    }

    public void bind(MeterBinder binder) {
        binder.bindTo(registry);
    }

    /** Binds Kafka Streams' client metrics, and lets readiness follow its state. */
    public void bindStreams(KafkaStreams kafkaStreams) {
        streams.set(kafkaStreams);
        KafkaStreamsMetrics kafka = new KafkaStreamsMetrics(kafkaStreams, Tags.empty(), kafkaRefresh,
                KAFKA_METRICS_REFRESH);
        closeables.add(kafka);
        kafka.bindTo(registry);
    }

    public MetricsServer.Health health() {
        KafkaStreams s = streams.get();
        if (s == null) {
            return new MetricsServer.Health(true, false, "STARTING");
        }
        KafkaStreams.State state = s.state();
        boolean live = state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
                && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_SHUTDOWN;
        return new MetricsServer.Health(live, state == KafkaStreams.State.RUNNING, state.name());
    }

    public GroundstateMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The endpoint's port, or -1 when it is disabled. */
    public int port() {
        return server == null ? -1 : server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // closing meters cannot lose data; go on closing the rest
            }
        }
        kafkaRefresh.shutdownNow();
        registry.close();
    }
}
