package io.groundstate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.kafka.MonitorApp;
import io.groundstate.streams.topology.EventMapping;
import io.groundstate.streams.topology.RequestRouting;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Events per second through the whole topology on an embedded broker, against a pass-through topology on the
 * same broker in the same run: with a hashing encoder (what Kafka and the Java detectors cost) and with the real
 * one. Each contender gets its own topics; the clock runs from the first event sent to the last output read by
 * a read_committed consumer. The hashing encoder's monitor also runs alone on the same events, without Kafka, so
 * that the topology's cost splits into its detectors' and what Kafka adds to them.
 */
@Command(name = "streaming", mixinStandardHelpOptions = true,
        description = {"Topology throughput on the embedded broker: every answer's events produced as fast as the",
                "producer can, the clock stopped when the last output is read back (read_committed). Contenders, in",
                "one run on one broker: a pass-through topology (events to one topic, exactly once, the same commit",
                "interval and partitions), the topology with a hashing encoder, and the topology with the real one.",
                "Each encoder's monitor also runs alone on this thread, the same events without Kafka: what the",
                "topology costs beyond it is what Kafka adds to the detectors."})
public final class StreamingBench implements Callable<Integer> {
    @Mixin
    Corpus corpus = new Corpus();

    @Mixin
    Tuning tuning = new Tuning();

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "5",
            description = {"Unmeasured passes of the pass-through and the hashing encoder first, alternating (default:",
                    "${DEFAULT-VALUE}). On 2 cores the JIT compiler takes most of a core for about a minute, and the",
                    "detectors' vector code needs it to reach speed; each round reports its compile time."})
    int warmup;

    @Option(names = "--real-rounds", defaultValue = "1",
            description = "Rounds of the real encoder, in the topology and alone, which take longest (default: "
                    + "${DEFAULT-VALUE}).")
    int realRounds;

    @Option(names = "--producer-partitioner", defaultValue = "java",
            description = {"Where the bench's producer puts each keyed event: java (murmur2, Kafka's default) or",
                    "librdkafka (CRC32, the default of Python's confluent-kafka, kcat, Go and .NET clients), whose",
                    "events mostly reach another task than their request's and take the rekeyed topic first",
                    "(default: ${DEFAULT-VALUE})."})
    String producerPartitioner;

    @Option(names = "--copies", defaultValue = "8",
            description = {"A pass of the pass-through or the hashing encoder sends the answers this many times,",
                    "each copy under its own request ids; the real encoder's, once (default: ${DEFAULT-VALUE}). What",
                    "every pass pays once (its last commit, the consumer's first fetch) then weighs little: with one",
                    "copy the pass-through's pass lasted under a second and the ratio read 3x, not 5-7x."})
    int copies;

    enum Contender {
        PASS_THROUGH, HASHING_ENCODER, DETECTORS_ALONE, REAL_ENCODER, REAL_DETECTORS_ALONE;

        /** With the real encoder: slow enough that one copy of the answers is a long pass, and rounds of their own. */
        boolean real() {
            return this == REAL_ENCODER || this == REAL_DETECTORS_ALONE;
        }
    }

    /**
     * One measured pass: the time from the first event sent to the last expected output read, and where the CPU
     * went meanwhile. The broker, the producer and the reader run in this JVM and share its cores with the
     * contender, so a contender that makes the broker work harder (more records, transactions) is slower for it.
     */
    record Pass(int events, int answers, double seconds, CpuShare cpu, ThreadCounters threads) {
        double eventsPerSecond() {
            return events / seconds;
        }

        /** What passes of different sizes (copies) compare by. */
        double secondsPerEvent() {
            return seconds / events;
        }

        double answersPerSecond() {
            return answers / seconds;
        }
    }

    /**
     * CPU seconds during a pass: the contender's stream threads, the broker's request handlers and network
     * threads, the JIT compiler (its compile time), the garbage collector (its collection time) and the whole
     * process (everything, those included).
     */
    record CpuShare(double streamThreads, double broker, double jit, double gc, double process) {
        static final String[] NAMES = {"stream_threads", "broker", "jit", "gc", "process"};

        double[] values() {
            return new double[] {streamThreads, broker, jit, gc, process};
        }

        String perEvent(int events) {
            double[] v = values();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(NAMES[i].replace('_', ' ')).append(' ')
                        .append(String.format(Locale.ROOT, "%.1f", v[i] / events * 1e6));
            }
            return sb.append(" µs CPU per event").toString();
        }
    }

    /**
     * Kafka Streams' own cumulative counters of a contender's stream threads: the time they spent blocked on Kafka
     * (in the consumer's and the producer's calls, commits included) and their commits. Summed over the threads;
     * the difference of two readings is what a pass added.
     */
    record ThreadCounters(double blockedSeconds, double commits) {
        static ThreadCounters of(KafkaStreams streams) {
            double blockedNanos = 0;
            double commits = 0;
            for (Map.Entry<MetricName, ? extends Metric> m : streams.metrics().entrySet()) {
                if (m.getKey().group().equals("stream-thread-metrics") && m.getValue().metricValue() instanceof Number n) {
                    if (m.getKey().name().equals("blocked-time-ns-total")) {
                        blockedNanos += n.doubleValue();
                    } else if (m.getKey().name().equals("commit-total")) {
                        commits += n.doubleValue();
                    }
                }
            }
            return new ThreadCounters(blockedNanos / 1e9, commits);
        }

        ThreadCounters since(ThreadCounters start) {
            return new ThreadCounters(blockedSeconds - start.blockedSeconds, commits - start.commits);
        }
    }

    /** A reading of the counters that {@link CpuShare} is the difference of. */
    private record CpuReading(Map<Long, Long> streamThreads, Map<Long, Long> broker, long compileMillis,
                              long gcMillis, long processNanos) {
        /** The contender's stream threads are those whose names start with {@code prefix}. */
        static CpuReading now(String prefix) {
            return now(t -> t.getName().startsWith(prefix + "-") && t.getName().contains("-StreamThread-"));
        }

        static CpuReading now(Predicate<Thread> contender) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Map<Long, Long> stream = new HashMap<>();
            Map<Long, Long> broker = new HashMap<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String name = t.getName();
                boolean ours = contender.test(t);
                Map<Long, Long> into = ours ? stream : name.startsWith("data-plane-kafka") ? broker : null;
                long ns = into == null ? -1 : threads.getThreadCpuTime(t.getId());
                if (ns >= 0) {
                    into.put(t.getId(), ns);
                }
            }
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long compile = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
            long gc = 0;
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                gc += Math.max(0, b.getCollectionTime());
            }
            long process = ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
            return new CpuReading(stream, broker, compile, gc, process);
        }

        CpuShare since(CpuReading start) {
            return new CpuShare(grown(start.streamThreads, streamThreads), grown(start.broker, broker),
                    (compileMillis - start.compileMillis) / 1e3, (gcMillis - start.gcMillis) / 1e3,
                    (processNanos - start.processNanos) / 1e9);
        }

        private static double grown(Map<Long, Long> before, Map<Long, Long> after) {
            long ns = 0;
            for (Map.Entry<Long, Long> t : after.entrySet()) {
                ns += t.getValue() - before.getOrDefault(t.getKey(), 0L);
            }
            return ns / 1e9;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (warmup < 0 || rounds < 1 || realRounds < 0 || copies < 1) {
            throw new IllegalArgumentException("--warmup and --real-rounds must be 0 or more, --rounds and --copies 1 "
                    + "or more");
        }
        if (!List.of("java", "librdkafka").contains(producerPartitioner)) {
            throw new IllegalArgumentException("--producer-partitioner must be java or librdkafka");
        }
        boolean librdkafka = producerPartitioner.equals("librdkafka");
        List<LabeledRecord> corpusAnswers = corpus.answers();
        List<MonitorEvent> single = Simulator.interleaved(corpusAnswers);
        List<MonitorEvent> repeated = copies(single, copies);
        System.err.printf("bench streaming: %d answers, %d events from %s, %d cop%s of them per pass (one with the "
                        + "real encoder), %d rounds (%d with the real encoder)%n", corpusAnswers.size(), single.size(),
                corpus.describe(), copies, copies == 1 ? "y" : "ies", rounds, realRounds);
        Map<Contender, List<MonitorEvent>> logs = new HashMap<>();
        Map<Contender, Integer> answerCounts = new HashMap<>();
        Map<Contender, List<Pass>> measured = new HashMap<>();
        for (Contender c : Contender.values()) {
            logs.put(c, c.real() ? single : repeated);
            answerCounts.put(c, corpusAnswers.size() * (c.real() ? 1 : copies));
            measured.put(c, new ArrayList<>());
        }
        try (Rig rig = new Rig()) {
            // Unmeasured passes of each cheap contender first, so that the rounds measure compiled code.
            for (int i = 0; i < warmup; i++) {
                for (Contender c : i % 2 == 0 ? List.of(Contender.PASS_THROUGH, Contender.HASHING_ENCODER)
                        : List.of(Contender.HASHING_ENCODER, Contender.PASS_THROUGH)) {
                    Pass p = run(rig, c, logs.get(c), answerCounts.get(c), tuning, choice.model, choice.device,
                            librdkafka);
                    System.err.printf(Locale.ROOT, "  warm-up %d %-16s %.0f events/s, JIT %.1f s%n", i + 1, c,
                            p.eventsPerSecond(), p.cpu().jit());
                }
            }
            for (int round = 0; round < Math.max(rounds, realRounds); round++) {
                List<Contender> order = new ArrayList<>(List.of(Contender.values()));
                if (round % 2 == 1) {
                    Collections.reverse(order);
                }
                for (Contender c : order) {
                    if (round >= (c.real() ? realRounds : rounds)) {
                        continue;
                    }
                    Pass p = run(rig, c, logs.get(c), answerCounts.get(c), tuning, choice.model, choice.device,
                            librdkafka);
                    measured.get(c).add(p);
                    System.err.printf(Locale.ROOT, "  round %d %-16s %.0f events/s, %.2f answers/s; %s; stream "
                                    + "threads blocked on Kafka %.1f µs per event, %.0f commits%n", round + 1, c,
                            p.eventsPerSecond(), p.answersPerSecond(), p.cpu().perEvent(p.events()),
                            p.threads().blockedSeconds() / p.events() * 1e6, p.threads().commits());
                }
            }
        }

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        out.put("benchmark", "streaming");
        out.set("machine", Machine.describe(mapper));
        out.put("data", corpus.describe());
        out.put("answers", corpusAnswers.size());
        out.put("events", single.size());
        out.put("copies", copies);
        out.put("producer_partitioner", producerPartitioner);
        out.set("kafka", tuning.describe(mapper));
        out.put("warmup_passes", warmup);
        double base = median(measured.get(Contender.PASS_THROUGH), Pass::secondsPerEvent);
        ArrayNode rows = out.putArray("contenders");
        for (Contender c : Contender.values()) {
            List<Pass> passes = measured.get(c);
            if (passes.isEmpty()) {
                continue;
            }
            ObjectNode r = rows.addObject();
            r.put("contender", c.name().toLowerCase(Locale.ROOT));
            r.put("events_per_s", Math.round(median(passes, Pass::eventsPerSecond)));
            r.put("answers_per_s", Math.round(median(passes, Pass::answersPerSecond) * 100) / 100.0);
            r.put("events_per_pass", logs.get(c).size());
            r.put("cost_vs_pass_through", hundredths(median(passes, Pass::secondsPerEvent) / base));
            ObjectNode perEvent = r.putObject("cpu_us_per_event"); // medians over the rounds
            for (int k = 0; k < CpuShare.NAMES.length; k++) {
                int share = k;
                perEvent.put(CpuShare.NAMES[k], microsPerEvent(passes, p -> p.cpu().values()[share]));
            }
            r.put("stream_threads_blocked_us_per_event", microsPerEvent(passes, p -> p.threads().blockedSeconds()));
            r.put("commits_per_pass", Math.round(median(passes, p -> p.threads().commits())));
            r.put("rounds", passes.size());
        }
        double topology = median(measured.get(Contender.HASHING_ENCODER), Pass::secondsPerEvent);
        double detectors = median(measured.get(Contender.DETECTORS_ALONE), Pass::secondsPerEvent);
        out.put("topology_cost_vs_pass_through_hashing_encoder", hundredths(topology / base));
        // What the topology's time per event has beyond its detectors', against the pass-through's whole time.
        out.put("kafka_cost_vs_pass_through_hashing_encoder", hundredths((topology - detectors) / base));
        if (!measured.get(Contender.REAL_ENCODER).isEmpty()) {
            // With the model, what users run: the topology's time per event against its detectors' own.
            out.put("topology_vs_detectors_alone_real_encoder", hundredths(
                    median(measured.get(Contender.REAL_ENCODER), Pass::secondsPerEvent)
                            / median(measured.get(Contender.REAL_DETECTORS_ALONE), Pass::secondsPerEvent)));
        }
        if (choice.json) {
            System.out.println(mapper.writeValueAsString(out));
        } else {
            System.out.println("| contender | events/s | answers/s | time vs pass-through | CPU µs per event: "
                    + "stream threads / broker / JIT / GC / whole process | stream threads blocked on Kafka, µs per "
                    + "event | commits per pass |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (var r : rows) {
                JsonNode e = r.get("cpu_us_per_event");
                System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2fx | %.1f / %.1f / %.1f / %.1f / %.1f | %.1f | %d |%n",
                        r.get("contender").asText(), r.get("events_per_s").asLong(), r.get("answers_per_s").asDouble(),
                        r.get("cost_vs_pass_through").asDouble(), e.get("stream_threads").asDouble(),
                        e.get("broker").asDouble(), e.get("jit").asDouble(), e.get("gc").asDouble(),
                        e.get("process").asDouble(), r.get("stream_threads_blocked_us_per_event").asDouble(),
                        r.get("commits_per_pass").asLong());
            }
            System.out.printf(Locale.ROOT, "%nThe topology with the hashing encoder: %.2fx the pass-through's time per "
                            + "event; beyond its detectors' time alone, %.2fx.%n",
                    out.get("topology_cost_vs_pass_through_hashing_encoder").asDouble(),
                    out.get("kafka_cost_vs_pass_through_hashing_encoder").asDouble());
            if (out.has("topology_vs_detectors_alone_real_encoder")) {
                System.out.printf(Locale.ROOT, "With the real encoder: the topology takes %.2fx its detectors' time "
                        + "alone.%n", out.get("topology_vs_detectors_alone_real_encoder").asDouble());
            }
        }
        return 0;
    }

    private static double hundredths(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static double median(List<Pass> passes, ToDoubleFunction<Pass> f) {
        return Stats.median(passes.stream().mapToDouble(f).toArray());
    }

    /** The median over the passes of {@code seconds} per event, in µs to one decimal. */
    private static double microsPerEvent(List<Pass> passes, ToDoubleFunction<Pass> seconds) {
        return Math.round(median(passes, p -> seconds.applyAsDouble(p) / p.events()) * 1e7) / 10.0;
    }

    /** The log again and again, each copy's requests renamed so that every answer is a request of its own. */
    static List<MonitorEvent> copies(List<MonitorEvent> log, int copies) {
        List<MonitorEvent> out = new ArrayList<>(log.size() * copies);
        out.addAll(log);
        for (int k = 1; k < copies; k++) {
            for (MonitorEvent e : log) {
                out.add(Events.retimed(e, e.requestId() + "~" + k, e.eventTime()));
            }
        }
        return out;
    }

    /** One contender on fresh topics: start it, flood it with the log, wait for its last output. */
    /** @param librdkafkaPlacement whether each event goes where librdkafka's default partitioner would put it */
    static Pass run(Rig rig, Contender c, List<MonitorEvent> log, int answers, Tuning tuning, String model,
                    String device, boolean librdkafkaPlacement) throws Exception {
        String prefix = rig.nextPrefix(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        GroundstateConfig config = rig.config(prefix, tuning.overrides());
        if (c == Contender.DETECTORS_ALONE) {
            return runDetectorsAlone(config, hashingStack(config), log, answers);
        }
        if (c == Contender.REAL_DETECTORS_ALONE) {
            return runDetectorsAlone(config, realStack(config, model, device), log, answers);
        }
        AtomicInteger seen = new AtomicInteger();
        AtomicLong lastAt = new AtomicLong();
        int expected = c == Contender.PASS_THROUGH ? log.size() : answers;
        CountDownLatch done = new CountDownLatch(1);
        AutoCloseable app;
        KafkaStreams streams;
        String output;
        if (c == Contender.PASS_THROUGH) {
            output = prefix + ".out";
            KafkaStreams passThrough = rig.startPassThrough(config, output);
            streams = passThrough;
            app = () -> passThrough.close(java.time.Duration.ofSeconds(30));
        } else {
            Encoder encoder = c == Contender.HASHING_ENCODER
                    ? hashingStack(config)
                    : realStack(config, model, device);
            encoder.embed(List.of("warm-up sentence for the encoder.")); // session start-up is not throughput
            MonitorApp monitor = rig.startMonitor(config, encoder);
            streams = monitor.streams();
            app = monitor;
            output = config.getString(GroundstateConfig.TOPIC_VERDICTS); // one verdict per answer, at its end
        }
        try (app; Rig.Reader reader = rig.reader(List.of(output), r -> {
            lastAt.set(r.readAtNanos());
            if (seen.incrementAndGet() == expected) {
                done.countDown();
            }
        }); KafkaProducer<String, byte[]> producer = rig.producer()) {
            CpuReading start = CpuReading.now(prefix);
            ThreadCounters counted = ThreadCounters.of(streams);
            long t0 = System.nanoTime();
            String events = config.getString(GroundstateConfig.TOPIC_EVENTS);
            int partitions = config.getInt(GroundstateConfig.TOPICS_PARTITIONS);
            for (MonitorEvent e : log) {
                // null: the Java producer's own murmur2, which puts each event in the task owning its request
                Integer partition = librdkafkaPlacement ? RequestRouting.librdkafkaDefaultPartition(e.requestId(), partitions) : null;
                producer.send(new ProducerRecord<>(events, partition, e.requestId(),
                        EventCodec.toJsonBytes(EventMapping.toSchema(e))));
            }
            producer.flush();
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException(c + ": only " + seen.get() + " of " + expected + " outputs arrived");
            }
            return new Pass(log.size(), answers, (lastAt.get() - t0) / 1e9, CpuReading.now(prefix).since(start),
                    ThreadCounters.of(streams).since(counted));
        }
    }

    /** The fake encoder behind the production cache and coalescer, as both hashing-encoder contenders use it. */
    private static Encoder hashingStack(GroundstateConfig config) {
        return MonitorApp.shared(new HashingEncoder(), config.getInt(GroundstateConfig.ENCODER_BATCH));
    }

    /** The model behind the stack the app puts in front of it (word table, cache, coalescer). */
    private static Encoder realStack(GroundstateConfig config, String model, String device) {
        return MonitorApp.openEncoder(model, device, config.getInt(GroundstateConfig.ENCODER_BATCH));
    }

    /**
     * A topology without Kafka: the same monitor, encoder stack (prefetch included; the stack is closed here) and
     * events, processed in order on this thread, each request's state in a map. Its stream-thread CPU is this
     * thread's.
     */
    static Pass runDetectorsAlone(GroundstateConfig config, Encoder stack, List<MonitorEvent> log, int answers) {
        Encoder prefetcher = MonitorApp.prefetcher(config, stack);
        try (Encoder encoder = prefetcher != null ? prefetcher : stack) {
            encoder.embed(List.of("warm-up sentence for the encoder."));
            RequestMonitor monitor = MonitorApp.monitor(config, encoder);
            Map<String, RequestState> states = new HashMap<>();
            int verdicts = 0;
            Thread self = Thread.currentThread();
            CpuReading start = CpuReading.now(t -> t == self);
            long t0 = System.nanoTime();
            for (MonitorEvent e : log) {
                RequestState state = states.computeIfAbsent(e.requestId(), id -> new RequestState());
                for (MonitorOutput o : monitor.process(state, e)) {
                    verdicts += o instanceof MonitorOutput.Verdict ? 1 : 0;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (verdicts != answers) {
                throw new IllegalStateException("the detectors alone gave " + verdicts + " verdicts for " + answers
                        + " answers");
            }
            return new Pass(log.size(), answers, seconds, CpuReading.now(t -> t == self).since(start),
                    new ThreadCounters(0, 0));
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

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Any other setting, groundstate's or Kafka's, for every contender (repeatable).")
        Map<String, String> settings = new LinkedHashMap<>();

        Map<String, Object> overrides() {
            Map<String, Object> m = new HashMap<>(settings);
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
            settings.forEach(n::put);
            return n;
        }
    }
}
