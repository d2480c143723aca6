package io.groundstate.bench;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.kafka.EmbeddedKafka;
import io.groundstate.streams.kafka.MonitorApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * One embedded KRaft broker shared by every contender of a run, each on its own topics and application id: the
 * groundstate topology (started as {@link MonitorApp} starts it in production) and a pass-through topology.
 */
final class Rig implements AutoCloseable {
    private final EmbeddedKafka broker;
    private final Path stateRoot;
    private int apps;

    Rig() {
        broker = EmbeddedKafka.start(null, 0);
        try {
            stateRoot = Files.createTempDirectory("groundstate-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** A fresh name for one contender's topics and application id. */
    String nextPrefix(String what) {
        return "bench-" + (++apps) + "-" + what;
    }

    /** The production configuration, on this broker and under {@code prefix}, with {@code overrides} on top. */
    GroundstateConfig config(String prefix, Map<String, Object> overrides) {
        return new GroundstateConfig(settings(prefix, overrides));
    }

    /** The settings behind {@link #config}, as a deployment's properties file would hold them. */
    Map<String, Object> settings(String prefix, Map<String, Object> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        m.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix);
        m.put(StreamsConfig.STATE_DIR_CONFIG, stateRoot.resolve(prefix).toString());
        for (String topic : List.of("events", "rekeyed", "alerts", "spans", "verdicts", "dlq")) {
            String key = topic.equals("rekeyed") ? GroundstateConfig.TOPIC_REKEYED : "groundstate.topic." + topic;
            m.put(key, prefix + "." + topic);
        }
        m.put(GroundstateConfig.METRICS_ADDRESS, "127.0.0.1:0"); // the meters stay on: they are part of the cost
        m.putAll(overrides);
        return m;
    }

    MonitorApp startMonitor(GroundstateConfig config, Encoder encoder) {
        return MonitorApp.start(config, Duration.ofMinutes(2), encoder);
    }

    /**
     * Events topic to one output topic, record for record, under the same Kafka settings as the monitor (exactly
     * once, commit interval, partitions): what Kafka Streams costs with no work in between.
     */
    KafkaStreams startPassThrough(GroundstateConfig config, String output) throws InterruptedException {
        String events = config.getString(GroundstateConfig.TOPIC_EVENTS);
        createTopics(config.getInt(GroundstateConfig.TOPICS_PARTITIONS), events, output);
        StreamsBuilder b = new StreamsBuilder();
        b.stream(events, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        Properties p = new Properties();
        p.putAll(config.kafka());
        KafkaStreams streams = new KafkaStreams(b.build(), p);
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        if (!running.await(2, TimeUnit.MINUTES)) {
            streams.close(Duration.ofSeconds(10));
            throw new IllegalStateException("the pass-through topology did not start");
        }
        return streams;
    }

    private void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics: " + e.getMessage(), e);
        }
    }

    /** An app's producer: idempotent, acks=all, no lingering, so that what is measured is not the producer's wait. */
    KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "groundstate-bench-app"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A read_committed reader of {@code topics} from their beginning, on its own thread, handing each record and
     * the wall-clock time it was read to {@code sink}; positioned before this returns.
     */
    Reader reader(List<String> topics, Consumer<Received> sink) {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10), // the default 500 ms would be the measured latency
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String t : topics) {
            c.partitionsFor(t, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
        partitions.forEach(c::position);
        return new Reader(c, sink);
    }

    record Received(ConsumerRecord<String, byte[]> record, long readAtMs, long readAtNanos) {
    }

    static final class Reader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Thread thread;
        private volatile boolean running = true;

        Reader(KafkaConsumer<String, byte[]> consumer, Consumer<Received> sink) {
            this.consumer = consumer;
            this.thread = new Thread(() -> {
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    long ms = System.currentTimeMillis();
                    long nanos = System.nanoTime();
                    records.forEach(r -> sink.accept(new Received(r, ms, nanos)));
                }
                consumer.close(Duration.ofSeconds(5));
            }, "bench-reader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    @Override
    public void close() {
        broker.close();
        try (var files = Files.walk(stateRoot)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the OS cleans it
        }
    }
}
