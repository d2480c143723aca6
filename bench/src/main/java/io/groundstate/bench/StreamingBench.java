package io.groundstate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.kafka.MonitorApp;
import io.groundstate.streams.topology.EventMapping;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Events per second through the whole topology on an embedded broker, against a pass-through topology on the
 * same broker in the same run: with a hashing encoder (what Kafka and the Java detectors cost) and with the real
 * one. Each contender gets its own topics; the clock runs from the first event sent to the last output read by
 * a read_committed consumer.
 */
@Command(name = "streaming", mixinStandardHelpOptions = true,
        description = {"Topology throughput on the embedded broker: every answer's events produced as fast as the",
                "producer can, the clock stopped when the last output is read back (read_committed). Contenders, in",
                "one run on one broker: a pass-through topology (events to one topic, exactly once, the same commit",
                "interval and partitions), the topology with a hashing encoder, and the topology with the real one."})
public final class StreamingBench implements Callable<Integer> {
    @Mixin
    Corpus corpus = new Corpus();

    @Mixin
    Tuning tuning = new Tuning();

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--real-rounds", defaultValue = "1",
            description = "Rounds of the real encoder, which takes longest (default: ${DEFAULT-VALUE}).")
    int realRounds;

    enum Contender { PASS_THROUGH, HASHING_ENCODER, REAL_ENCODER }

    /** One measured pass: the time from the first event sent to the last expected output read. */
    record Pass(int events, int answers, double seconds) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double answersPerSecond() {
            return answers / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<LabeledRecord> answers = corpus.answers();
        List<MonitorEvent> log = Simulator.interleaved(answers);
        System.err.printf("bench streaming: %d answers, %d events from %s, %d rounds (%d with the real encoder)%n",
                answers.size(), log.size(), corpus.describe(), rounds, realRounds);
        Map<Contender, double[]> seconds = new HashMap<>();
        for (Contender c : Contender.values()) {
            seconds.put(c, new double[c == Contender.REAL_ENCODER ? realRounds : rounds]);
        }
        try (Rig rig = new Rig()) {
            // One unmeasured pass of each cheap contender first: the JIT compiles the hot paths of both.
            run(rig, Contender.PASS_THROUGH, log, answers.size(), tuning, choice.model, choice.device);
            run(rig, Contender.HASHING_ENCODER, log, answers.size(), tuning, choice.model, choice.device);
            for (int round = 0; round < Math.max(rounds, realRounds); round++) {
                List<Contender> order = new ArrayList<>(List.of(Contender.values()));
                if (round % 2 == 1) {
                    Collections.reverse(order);
                }
                for (Contender c : order) {
                    if (round >= seconds.get(c).length) {
                        continue;
                    }
                    Pass p = run(rig, c, log, answers.size(), tuning, choice.model, choice.device);
                    seconds.get(c)[round] = p.seconds();
                    System.err.printf(Locale.ROOT, "  round %d %-16s %.0f events/s, %.2f answers/s%n", round + 1, c,
                            p.eventsPerSecond(), p.answersPerSecond());
                }
            }
        }

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        out.put("benchmark", "streaming");
        out.set("machine", Machine.describe(mapper));
        out.put("data", corpus.describe());
        out.put("answers", answers.size());
        out.put("events", log.size());
        out.set("kafka", tuning.describe(mapper));
        double base = Stats.median(seconds.get(Contender.PASS_THROUGH));
        ArrayNode rows = out.putArray("contenders");
        for (Contender c : Contender.values()) {
            if (seconds.get(c).length == 0) {
                continue;
            }
            double s = Stats.median(seconds.get(c));
            ObjectNode r = rows.addObject();
            r.put("contender", c.name().toLowerCase(Locale.ROOT));
            r.put("events_per_s", Math.round(log.size() / s));
            r.put("answers_per_s", Math.round(answers.size() / s * 100) / 100.0);
            r.put("cost_vs_pass_through", Math.round(s / base * 100) / 100.0);
            r.put("rounds", seconds.get(c).length);
        }
        out.put("topology_cost_vs_pass_through_hashing_encoder",
                Math.round(Stats.median(seconds.get(Contender.HASHING_ENCODER)) / base * 100) / 100.0);
        if (choice.json) {
            System.out.println(mapper.writeValueAsString(out));
        } else {
            System.out.println("| contender | events/s | answers/s | time vs pass-through |");
            System.out.println("|---|---|---|---|");
            for (var r : rows) {
                System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2fx |%n", r.get("contender").asText(),
                        r.get("events_per_s").asLong(), r.get("answers_per_s").asDouble(),
                        r.get("cost_vs_pass_through").asDouble());
            }
        }
        return 0;
    }

    /** One contender on fresh topics: start it, flood it with the log, wait for its last output. */
    static Pass run(Rig rig, Contender c, List<MonitorEvent> log, int answers, Tuning tuning, String model,
                    String device) throws Exception {
        String prefix = rig.nextPrefix(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        GroundstateConfig config = rig.config(prefix, tuning.overrides());
        AtomicInteger seen = new AtomicInteger();
        AtomicLong lastAt = new AtomicLong();
        int expected = c == Contender.PASS_THROUGH ? log.size() : answers;
        CountDownLatch done = new CountDownLatch(1);
        AutoCloseable app;
        String output;
        if (c == Contender.PASS_THROUGH) {
            output = prefix + ".out";
            KafkaStreams streams = rig.startPassThrough(config, output);
            app = () -> streams.close(java.time.Duration.ofSeconds(30));
        } else {
            Encoder encoder = c == Contender.HASHING_ENCODER
                    ? MonitorApp.shared(new HashingEncoder(), config.getInt(GroundstateConfig.ENCODER_BATCH))
                    : MonitorApp.openEncoder(model, device, config.getInt(GroundstateConfig.ENCODER_BATCH));
            encoder.embed(List.of("warm-up sentence for the encoder.")); // session start-up is not throughput
            app = rig.startMonitor(config, encoder);
            output = config.getString(GroundstateConfig.TOPIC_VERDICTS); // one verdict per answer, at its end
        }
        try (app; Rig.Reader reader = rig.reader(List.of(output), r -> {
            lastAt.set(r.readAtNanos());
            if (seen.incrementAndGet() == expected) {
                done.countDown();
            }
        }); KafkaProducer<String, byte[]> producer = rig.producer()) {
            long t0 = System.nanoTime();
            String events = config.getString(GroundstateConfig.TOPIC_EVENTS);
            for (MonitorEvent e : log) {
                producer.send(new ProducerRecord<>(events, e.requestId(), EventCodec.toJsonBytes(EventMapping.toSchema(e))));
            }
            producer.flush();
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException(c + ": only " + seen.get() + " of " + expected + " outputs arrived");
            }
            return new Pass(log.size(), answers, (lastAt.get() - t0) / 1e9);
        }
    }

    /** The Kafka Streams settings a run may vary; unset, the shipped defaults apply. */
    public static final class Tuning {
        @Option(names = "--commit-interval-ms", description = "commit.interval.ms (default: groundstate's, "
                + "see docs/configuration.md).")
        Integer commitIntervalMs;

        @Option(names = "--stream-threads", description = "num.stream.threads (default: Kafka's, 1).")
        Integer streamThreads;

        @Option(names = "--partitions", description = "Partitions of the events topic (default: groundstate's, 6).")
        Integer partitions;

        @Option(names = "--prefetch", arity = "1", description = "groundstate.encoder.prefetch: embed each context in "
                + "the background when it arrives (default: groundstate's, true).")
        Boolean prefetch;

        @Option(names = "--commit-on-alert", arity = "1", description = "groundstate.commit.on.alert: commit as soon as "
                + "an alert is emitted (default: groundstate's, true).")
        Boolean commitOnAlert;

        Map<String, Object> overrides() {
            Map<String, Object> m = new HashMap<>();
            if (commitIntervalMs != null) {
                m.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
            }
            if (streamThreads != null) {
                m.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
            }
            if (partitions != null) {
                m.put(GroundstateConfig.TOPICS_PARTITIONS, partitions);
            }
            if (prefetch != null) {
                m.put(GroundstateConfig.ENCODER_PREFETCH, prefetch);
            }
            if (commitOnAlert != null) {
                m.put(GroundstateConfig.COMMIT_ON_ALERT, commitOnAlert);
            }
            return m;
        }

        ObjectNode describe(ObjectMapper mapper) {
            Map<String, Object> k = new GroundstateConfig(overrides()).kafka();
            ObjectNode n = mapper.createObjectNode();
            n.put("processing_guarantee", String.valueOf(k.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)));
            n.put("commit_interval_ms", String.valueOf(k.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)));
            n.put("stream_threads", String.valueOf(k.getOrDefault(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1)));
            GroundstateConfig c = new GroundstateConfig(overrides());
            n.put("partitions", c.getInt(GroundstateConfig.TOPICS_PARTITIONS));
            n.put("prefetch", c.getBoolean(GroundstateConfig.ENCODER_PREFETCH));
            n.put("commit_on_alert", c.commitOnAlert());
            return n;
        }
    }
}
