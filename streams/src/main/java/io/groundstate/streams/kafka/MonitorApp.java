package io.groundstate.streams.kafka;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.CachingEncoder;
import io.groundstate.detectors.encoder.CoalescingEncoder;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.PrefetchingEncoder;
import io.groundstate.detectors.encoder.WordTableEncoder;
import io.groundstate.detectors.encoder.onnx.ModelFiles;
import io.groundstate.detectors.encoder.onnx.OnnxEncoder;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.vec.Vectors;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.metrics.GroundstateMetrics;
import io.groundstate.streams.metrics.MeterCatalog;
import io.groundstate.streams.metrics.MeteredEncoder;
import io.groundstate.streams.metrics.Observability;
import io.groundstate.streams.topology.GroundstateTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import io.micrometer.core.instrument.FunctionCounter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires and runs the streaming monitor: the embedded broker when no bootstrap servers are given, topics,
 * the encoder, the topology, and Kafka Streams; closes them in reverse order.
 */
public final class MonitorApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorApp.class);

    private final GroundstateConfig config;
    private final EmbeddedKafka broker;
    private final Encoder encoder;
    private final KafkaStreams streams;
    private final Path temporaryState;
    private final Observability observability;
    private boolean closed;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private MonitorApp(GroundstateConfig config, EmbeddedKafka broker, Encoder encoder, KafkaStreams streams,
                       Path temporaryState, Observability observability) {
        this.temporaryState = temporaryState;
        this.observability = observability;
        this.config = config;
        this.broker = broker;
        this.encoder = encoder;
        this.streams = streams;
    }

    /** One text per core: a foreground call that arrives while a slice runs waits for one model run at most. */
    private static final int PREFETCH_SLICE = Math.max(1, Runtime.getRuntime().availableProcessors());

    /** Starts everything and returns once Kafka Streams is running. */
    public static MonitorApp start(GroundstateConfig given, Duration startTimeout) {
        return start(given, startTimeout, null);
    }

    /**
     * @param encoderOverride an encoder to use instead of the configured one (benchmarks run the topology with a
     *                        fake encoder); the app closes it. Null: the configured encoder.
     */
    public static MonitorApp start(GroundstateConfig given, Duration startTimeout, Encoder encoderOverride) {
        EmbeddedKafka broker = null;
        Encoder encoder = null;
        Path temporaryState = null;
        Observability observability = null;
        try {
            GroundstateConfig config = given;
            observability = Observability.start(config);
            if (config.embedded()) {
                String dir = config.getString(GroundstateConfig.EMBEDDED_DIR);
                broker = EmbeddedKafka.start(dir.isBlank() ? null : Path.of(dir), config.getInt(GroundstateConfig.EMBEDDED_PORT));
                config = config.with(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
            }
            Map<String, Object> kafka = config.kafka();
            if (broker != null && !kafka.containsKey(StreamsConfig.STATE_DIR_CONFIG)) {
                // State belongs to its cluster: beside a kept broker's data, else temporary like the broker.
                String dir = config.getString(GroundstateConfig.EMBEDDED_DIR);
                temporaryState = dir.isBlank() ? Files.createTempDirectory("groundstate-state-") : null;
                kafka.put(StreamsConfig.STATE_DIR_CONFIG, dir.isBlank() ? temporaryState.toString()
                        : Files.createDirectories(Path.of(dir, "streams-state")).toString());
            }
            staticMembership(config, kafka);
            int partitions;
            try (Admin admin = Admin.create(new StreamsConfig(kafka).getAdminConfigs("groundstate-setup"))) {
                partitions = Topics.ensure(admin, config);
            }
            encoder = encoderOverride != null ? encoderOverride : openEncoder(config, observability);
            PrefetchingEncoder prefetching = prefetcher(config, encoder);
            bindPrefetchMeters(prefetching, observability);
            encoder = prefetching != null ? prefetching : encoder;
            RequestMonitor monitor = monitor(config, encoder);
            Topology topology = GroundstateTopology.build(config, monitor, observability.metrics(), partitions);
            Properties props = new Properties();
            props.putAll(kafka);
            KafkaStreams streams = new KafkaStreams(topology, props);
            observability.bindStreams(streams);
            MonitorApp app = new MonitorApp(config, broker, encoder, streams, temporaryState, observability);
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("stream thread failed; shutting down", e);
                app.failure.compareAndSet(null, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            CountDownLatch running = new CountDownLatch(1);
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    running.countDown();
                } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    running.countDown();
                    app.stopped.countDown();
                }
            });
            streams.start();
            if (!running.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS) || streams.state() != KafkaStreams.State.RUNNING) {
                streams.close(Duration.ofSeconds(30)); // the catch below closes the rest
                throw new IllegalStateException("Kafka Streams did not reach RUNNING in " + startTimeout
                        + " (state " + streams.state() + ")");
            }
            LOG.info("groundstate is running: {} -> alerts {}, verdicts {}, spans {}, dead letters {}; metrics {}; "
                    + "{} dot products", config.getString(GroundstateConfig.TOPIC_EVENTS),
                    config.getString(GroundstateConfig.TOPIC_ALERTS), config.getString(GroundstateConfig.TOPIC_VERDICTS),
                    config.getString(GroundstateConfig.TOPIC_SPANS), config.getString(GroundstateConfig.TOPIC_DLQ),
                    observability.port() < 0 ? "off" : "on port " + observability.port(), Vectors.kernel());
            return app;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll(observability, encoder, broker, temporaryState);
            throw new IllegalStateException("interrupted while starting", e);
        } catch (IOException e) {
            closeAll(observability, encoder, broker, temporaryState);
            throw new UncheckedIOException("cannot create the state directory", e);
        } catch (RuntimeException e) {
            closeAll(observability, encoder, broker, temporaryState);
            throw e;
        }
    }

    /**
     * Makes this instance a static member of the group ({@link InstanceIdentity}) unless the settings name one
     * already or turn it off. Kafka Streams appends each stream thread's index to the id.
     */
    private static void staticMembership(GroundstateConfig config, Map<String, Object> kafka) {
        if (!config.getBoolean(GroundstateConfig.STATIC_MEMBERSHIP)) {
            return;
        }
        for (String key : List.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))) {
            if (kafka.get(key) != null && !kafka.get(key).toString().isBlank()) {
                return;
            }
        }
        StreamsConfig streams = new StreamsConfig(kafka);
        String id = InstanceIdentity.of(Path.of(streams.getString(StreamsConfig.STATE_DIR_CONFIG)),
                streams.getString(StreamsConfig.APPLICATION_ID_CONFIG));
        kafka.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id);
        LOG.info("static group member {} (kept in the state directory; {}=false turns this off)", id,
                GroundstateConfig.STATIC_MEMBERSHIP);
    }

    private static void closeAll(Observability observability, Encoder encoder, EmbeddedKafka broker,
                                     Path temporaryState) {
        if (observability != null) {
            observability.close();
        }
        if (encoder != null) {
            encoder.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (temporaryState != null) {
            EmbeddedKafka.deleteTree(temporaryState);
        }
    }

    private static Encoder openEncoder(GroundstateConfig c, Observability observability) {
        String device = c.getString(GroundstateConfig.ENCODER_DEVICE);
        int batchSize = c.getInt(GroundstateConfig.ENCODER_BATCH);
        EncoderSpec spec = EncoderSpec.of(c.getString(GroundstateConfig.ENCODER_MODEL), device, batchSize);
        MeteredEncoder metered = new MeteredEncoder(OnnxEncoder.open(spec, 1), device);
        observability.bind(metered);
        return stack(metered, spec, batchSize, true, observability);
    }

    /**
     * The one order of the encoder stack, for the streaming app and every command: the model, a coalescer that
     * batches concurrent callers, a cache of repeated texts, and the model's word table in front (above the cache,
     * so that the cache keeps its room for the texts the model has to run).
     *
     * @param observability where the cache's meters go; null for commands without an endpoint
     */
    private static Encoder stack(Encoder model, EncoderSpec spec, int batchSize, boolean wordTable,
                                 Observability observability) {
        CachingEncoder cache = shared(model, batchSize);
        if (observability != null) {
            bindCacheMeters(cache, observability);
        }
        return wordTable ? withWordTable(cache, spec) : cache;
    }

    /**
     * The prefetch's counters, at zero when it is off (so a dashboard shows 0, not "no data"). It holds up to 20,000
     * texts (about nine contexts at the 2,000-word cap), well inside the encoder's 50,000-text cache.
     */
    private static void bindPrefetchMeters(PrefetchingEncoder p, Observability observability) {
        bindOutcomes(MeterCatalog.ENCODER_PREFETCH, p, Map.of("queued", PrefetchingEncoder::queued,
                "dropped", PrefetchingEncoder::dropped, "failed", PrefetchingEncoder::failed), observability);
    }

    /** The embedding cache's hits, misses and evictions, from Caffeine's own statistics. */
    private static void bindCacheMeters(CachingEncoder cache, Observability observability) {
        bindOutcomes(MeterCatalog.ENCODER_CACHE, cache, Map.of("hit", c -> c.counts().hits(),
                "miss", c -> c.counts().misses(), "eviction", c -> c.counts().evictions()), observability);
    }

    /** One function counter per outcome tag of {@code e}, read from {@code source} (a null source reads 0). */
    private static <T> void bindOutcomes(MeterCatalog.Entry e, T source, Map<String, ToDoubleFunction<T>> outcomes,
                                         Observability observability) {
        observability.bind(registry -> outcomes.forEach((outcome, count) -> FunctionCounter.builder(e.name(), source, count)
                .description(e.description()).tags(GroundstateMetrics.checked(e, "outcome", outcome)).register(registry)));
    }

    /**
     * The ONNX encoder behind a cache of repeated texts (context sentences recur across a request's events and
     * across requests) and a coalescer that batches concurrent callers (stream threads, replay workers).
     */
    public static Encoder openEncoder(String model, String device, int batchSize) {
        return openEncoder(model, device, batchSize, 1);
    }

    /** @param threadsPerRun CPU threads per model run (1: one run per core at once) */
    public static Encoder openEncoder(String model, String device, int batchSize, int threadsPerRun) {
        return openEncoder(model, device, batchSize, threadsPerRun, true);
    }

    /** @param wordTable whether vocabulary words come from the model's word table (the same vectors, no model run) */
    public static Encoder openEncoder(String model, String device, int batchSize, int threadsPerRun, boolean wordTable) {
        EncoderSpec spec = EncoderSpec.of(model, device, batchSize);
        return stack(OnnxEncoder.open(spec, threadsPerRun), spec, batchSize, wordTable, null);
    }

    /** The model's word table in front of the stack, when it has one. */
    private static Encoder withWordTable(Encoder stack, EncoderSpec spec) {
        return ModelFiles.wordTable(spec).<Encoder>map(table -> new WordTableEncoder(stack, table)).orElse(stack);
    }

    /** What embeds each context in the background when it arrives, where prefetch is on; null where it is off. */
    public static PrefetchingEncoder prefetcher(GroundstateConfig config, Encoder encoder) {
        return config.getBoolean(GroundstateConfig.ENCODER_PREFETCH)
                ? new PrefetchingEncoder(encoder, PREFETCH_SLICE, 20_000) : null;
    }

    /** The monitor the topology runs over {@code encoder}, with the detectors' settings of {@code config}. */
    public static RequestMonitor monitor(GroundstateConfig config, Encoder encoder) {
        MonitorConfig monitorConfig = MonitorConfig.defaults()
                .withPerturbationTokens(config.getInt(GroundstateConfig.PERTURBATION_TOKENS))
                .withReembed(config.getString(GroundstateConfig.PERTURBATION_MODE).equals("reembed"))
                .withLimits(config.requestLimits())
                .withAlertKinds(config.alertKinds());
        return new RequestMonitor(encoder, combiner(config.getString(GroundstateConfig.WEIGHTS)), monitorConfig,
                System::currentTimeMillis);
    }

    /** The stack every command puts in front of a model: a cache of repeated texts over a coalescer. */
    public static CachingEncoder shared(Encoder model, int batchSize) {
        return new CachingEncoder(new CoalescingEncoder(model, Math.max(256, batchSize)), 50_000);
    }

    /** The weights at {@code path}, or the shipped ones when it is null or blank. */
    public static Combiner combiner(String path) {
        return path == null || path.isBlank() ? Combiner.shipped() : Combiner.load(Path.of(path));
    }

    /** The configuration in effect, with bootstrap.servers filled in when the broker is embedded. */
    public GroundstateConfig config() {
        return config;
    }

    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public Encoder encoder() {
        return encoder;
    }

    /** The metrics registry and endpoint ({@code port()} is -1 when the endpoint is off). */
    public Observability observability() {
        return observability;
    }

    /** Blocks until Kafka Streams stops (a fatal error or close); returns the error, if any. */
    public Throwable awaitStop() throws InterruptedException {
        stopped.await();
        return failure.get();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        CloseOptions.GroupMembershipOperation membership = config.getBoolean(GroundstateConfig.SHUTDOWN_LEAVE_GROUP)
                ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP;
        streams.close(CloseOptions.groupMembershipOperation(membership).withTimeout(Duration.ofSeconds(30)));
        stopped.countDown();
        closeAll(observability, encoder, broker, temporaryState);
    }
}
