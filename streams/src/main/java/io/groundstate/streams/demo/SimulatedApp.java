package io.groundstate.streams.demo;

import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.schemas.Event;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.topology.EventMapping;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for an instrumented RAG app: streams labeled answers to Kafka as an app would, token by token
 * at a generation-like pace, several at once, half of them as JSON and half as Avro. It keeps cycling
 * through the answers until stopped; one malformed record at the start shows the dead-letter path.
 */
public final class SimulatedApp implements AutoCloseable {
    public static final String RESOURCE = "/io/groundstate/streams/demo/answers.jsonl";

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final List<LabeledRecord> answers;
    private final int concurrency;
    private final double tokensPerSecond;
    private final ExecutorService pool;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong deltas = new AtomicLong();
    private final Map<String, LabeledRecord> byRequest = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    public SimulatedApp(String bootstrapServers, String topic, List<LabeledRecord> answers, int concurrency,
                        double tokensPerSecond) {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("no answers to stream");
        }
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "groundstate-demo-app"),
                new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.answers = answers;
        this.concurrency = concurrency;
        this.tokensPerSecond = tokensPerSecond;
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "demo-app");
            t.setDaemon(true);
            return t;
        });
    }

    public static List<LabeledRecord> shippedAnswers() {
        InputStream in = SimulatedApp.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException("missing resource " + RESOURCE);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return LabeledRecord.read(reader, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void start() {
        producer.send(new ProducerRecord<>(topic, "demo-garbage",
                "{\"kind\": \"token_delta\", \"request_id\": \"demo-garbage\"}".getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < concurrency; i++) {
            pool.submit(this::loop);
        }
    }

    private void loop() {
        while (running) {
            int n = next.getAndIncrement();
            LabeledRecord r = answers.get(n % answers.size());
            String requestId = "demo-" + n + "-" + r.id();
            byRequest.put(requestId, r);
            try {
                stream(requestId, r, n % 2 == 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void stream(String requestId, LabeledRecord r, boolean avro) throws InterruptedException {
        List<MonitorEvent> events = Simulator.events(r);
        for (MonitorEvent e : events) {
            if (!running) {
                return;
            }
            if (e instanceof MonitorEvent.TokenDelta d) {
                // about one token per 4 characters, at the configured rate
                Thread.sleep(Math.max(1, Math.round(1000.0 * Math.max(1, d.text().length() / 4.0) / tokensPerSecond)));
                deltas.incrementAndGet();
            }
            long now = System.currentTimeMillis();
            Event schema = EventMapping.toSchema(e);
            schema.setRequestId(requestId);
            schema.setEventTime(java.time.Instant.ofEpochMilli(now));
            byte[] bytes = avro ? EventCodec.toAvro(schema) : EventCodec.toJsonBytes(schema);
            producer.send(new ProducerRecord<>(topic, requestId, bytes));
        }
        producer.flush();
    }

    /** The labeled answer behind a request id the app sent. */
    public LabeledRecord answerOf(String requestId) {
        return byRequest.get(requestId);
    }

    public int started() {
        return next.get();
    }

    public long deltasSent() {
        return deltas.get();
    }

    /** Stops starting answers and waits for those in flight to end (or be cut off). */
    @Override
    public void close() {
        running = false;
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
