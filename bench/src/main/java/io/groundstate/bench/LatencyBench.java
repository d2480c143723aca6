package io.groundstate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.eval.Simulator;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.kafka.MonitorApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Alert latency at a fraction of the highest sustainable rate: the rate is first measured by flooding the
 * topology (real encoder), then answers are started at a steady pace, each streaming its tokens with the
 * simulator's own spacing, and every alert's latency is the time from its sentence's last token (stamped when it
 * was sent) to the alert read by a read_committed consumer. The first share of the answers warms the monitor up
 * at the same pace (the JIT, the encoder's cache of common words, Kafka's first transactions); their alerts are
 * reported apart, as the cold start, and the rest, answers the warm-up never saw, as the steady state.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = {"Alert latency on the embedded broker at fractions of the highest sustainable rate, which is",
                "measured first (the streaming benchmark's flood with the real encoder) unless --max-rate gives it.",
                "Each answer is used once, so no context is already in the encoder's cache: use --data with enough",
                "answers (RAGTruth's 351) for a meaningful 99th percentile. The first --warm-up share of them warms",
                "the monitor up at the same pace; their alerts are reported apart as the cold start."})
public final class LatencyBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    Corpus corpus = new Corpus();

    @Mixin
    StreamingBench.Tuning tuning = new StreamingBench.Tuning();

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--max-rate", description = "Highest sustainable rate in answers/s (default: measured first).")
    Double maxRate;

    @Option(names = "--load", split = ",", description = "Fractions of the highest rate (default: 0.5,0.8).")
    List<Double> loads = new ArrayList<>(List.of(0.5, 0.8));

    @Option(names = "--warm-up", defaultValue = "0.4", description = "Share of the answers that warm up at each load "
            + "before the measured ones, reported apart as the cold start (default: ${DEFAULT-VALUE}).")
    double warmUpShare;

    @Override
    public Integer call() throws Exception {
        List<LabeledRecord> answers = corpus.answers();
        ObjectNode out = JSON.createObjectNode();
        out.put("benchmark", "latency");
        out.set("machine", Machine.describe(JSON));
        out.put("data", corpus.describe());
        out.put("answers", answers.size());
        out.put("warm_up_answers", warmUpCount(answers.size()));
        out.put("model", choice.model);
        out.set("kafka", tuning.describe(JSON));
        try (Rig rig = new Rig()) {
            double max;
            if (maxRate != null) {
                max = maxRate;
                out.put("max_rate_source", "given");
            } else {
                List<MonitorEvent> log = Simulator.interleaved(answers);
                StreamingBench.Pass flood = StreamingBench.run(rig, StreamingBench.Contender.REAL_ENCODER, log,
                        answers.size(), tuning, choice.model, choice.device, false);
                max = flood.answersPerSecond();
                out.put("max_rate_source", "measured: every answer's events at once, the real encoder");
                out.put("max_events_per_s", Math.round(flood.eventsPerSecond()));
            }
            out.put("max_answers_per_s", Math.round(max * 100) / 100.0);
            System.err.printf(Locale.ROOT, "bench latency: highest sustainable rate %.2f answers/s; loads %s%n", max, loads);
            ArrayNode rows = out.putArray("loads");
            for (double load : loads) {
                rows.add(paced(rig, answers, load, max * load));
            }
        }
        if (choice.json) {
            System.out.println(JSON.writeValueAsString(out));
        } else {
            System.out.printf(Locale.ROOT, "highest sustainable rate: %.2f answers/s%n%n", out.get("max_answers_per_s").asDouble());
            System.out.printf(Locale.ROOT, "warm-up: the first %d answers at each load%n%n", out.get("warm_up_answers").asInt());
            System.out.println("| load | answers/s | alerts | alert p50 ms | alert p99 ms | to emit p50 / p99 ms "
                    + "| emit to read p50 / p99 ms | sentence scores | sentence p50 ms | sentence p99 ms | warm-up alerts "
                    + "| warm-up alert p50 ms | warm-up alert p99 ms | drain ms |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (var r : out.get("loads")) {
                System.out.printf(Locale.ROOT, "| %.0f%% | %.2f | %d | %d | %d | %d / %d | %d / %d | %d | %d | %d | %d | %d | %d "
                                + "| %d |%n",
                        r.get("load").asDouble() * 100, r.get("answers_per_s").asDouble(), r.get("alerts").asInt(),
                        r.get("alert_p50_ms").asLong(), r.get("alert_p99_ms").asLong(),
                        r.get("alert_to_emit_p50_ms").asLong(), r.get("alert_to_emit_p99_ms").asLong(),
                        r.get("alert_emit_to_read_p50_ms").asLong(), r.get("alert_emit_to_read_p99_ms").asLong(),
                        r.get("sentences").asInt(),
                        r.get("sentence_p50_ms").asLong(), r.get("sentence_p99_ms").asLong(),
                        r.get("warm_up_alerts").asInt(), r.get("warm_up_alert_p50_ms").asLong(),
                        r.get("warm_up_alert_p99_ms").asLong(), r.get("drain_ms").asLong());
            }
        }
        return 0;
    }

    private static final String WARM_UP = "warm-up-";

    private int warmUpCount(int answers) {
        return (int) Math.floor(answers * warmUpShare);
    }

    /** One run at {@code rate} answers/s on fresh topics and a fresh encoder cache. */
    private ObjectNode paced(Rig rig, List<LabeledRecord> answers, double load, double rate) throws Exception {
        GroundstateConfig config = rig.config(rig.nextPrefix("latency-" + Math.round(load * 100)), tuning.overrides());
        List<Events.Scheduled> schedule = new ArrayList<>();
        long spacing = (long) (1e9 / rate);
        int warmUp = warmUpCount(answers.size());
        for (int i = 0; i < answers.size(); i++) {
            String id = (i < warmUp ? WARM_UP : "latency-") + i + "-" + answers.get(i).id();
            schedule.addAll(Events.schedule(Simulator.events(answers.get(i)), id, i * spacing));
        }
        schedule.sort(Comparator.comparingLong(Events.Scheduled::atNanos));

        ConcurrentLinkedQueue<Long> alertMs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> warmUpAlertMs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> sentenceMs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> toEmitMs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> emitToReadMs = new ConcurrentLinkedQueue<>();
        AtomicInteger verdicts = new AtomicInteger();
        AtomicLong lastVerdictNanos = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        String alerts = config.getString(GroundstateConfig.TOPIC_ALERTS);
        String spans = config.getString(GroundstateConfig.TOPIC_SPANS);
        String verdictTopic = config.getString(GroundstateConfig.TOPIC_VERDICTS);
        var encoder = MonitorApp.openEncoder(choice.model, choice.device, config.getInt(GroundstateConfig.ENCODER_BATCH));
        encoder.embed(List.of("warm-up sentence for the encoder."));
        try (MonitorApp app = rig.startMonitor(config, encoder);
             Rig.Reader reader = rig.reader(List.of(alerts, spans, verdictTopic), r -> {
                 String topic = r.record().topic();
                 if (topic.equals(verdictTopic)) {
                     lastVerdictNanos.set(r.readAtNanos());
                     if (verdicts.incrementAndGet() == answers.size()) {
                         done.countDown();
                     }
                     return;
                 }
                 JsonNode value = json(r.record().value());
                 long eventTime = value.get("event_time").asLong();
                 long latency = Math.max(0, r.readAtMs() - eventTime);
                 if (r.record().key().startsWith(WARM_UP)) {
                     if (topic.equals(alerts)) {
                         warmUpAlertMs.add(latency);
                     }
                 } else if (topic.equals(alerts)) {
                     alertMs.add(latency);
                     // emit_time is the monitor's clock when it emitted the alert, the same machine's clock here
                     long emitted = value.get("emit_time").asLong();
                     toEmitMs.add(Math.max(0, emitted - eventTime));
                     emitToReadMs.add(Math.max(0, r.readAtMs() - emitted));
                 } else {
                     sentenceMs.add(latency);
                 }
             });
             KafkaProducer<String, byte[]> producer = rig.producer()) {
            String events = config.getString(GroundstateConfig.TOPIC_EVENTS);
            long t0 = System.nanoTime();
            for (Events.Scheduled s : schedule) {
                long wait = t0 + s.atNanos() - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                s.send(producer, events); // stamped when sent, on this machine's clock, as a real app does
            }
            producer.flush();
            long sentAll = System.nanoTime();
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("only " + verdicts.get() + " of " + answers.size() + " verdicts arrived");
            }
            // The last transactions' alerts and scores can be read after the last verdict: wait until a second
            // passes with nothing new, then count them once (one run had counted 261 of its 262 alerts).
            long seen;
            do {
                seen = outputs(alertMs, warmUpAlertMs, sentenceMs);
                Thread.sleep(1000);
            } while (outputs(alertMs, warmUpAlertMs, sentenceMs) != seen);
            double[] alertLatencies = toArray(alertMs);
            double[] sentenceLatencies = toArray(sentenceMs);
            double[] warmUpLatencies = toArray(warmUpAlertMs);
            double secs = (sentAll - t0) / 1e9;
            ObjectNode r = JSON.createObjectNode();
            r.put("load", load);
            r.put("answers_per_s", Math.round(answers.size() / secs * 100) / 100.0);
            r.put("events_per_s", Math.round(schedule.size() / secs));
            r.put("seconds", Math.round(secs * 10) / 10.0);
            r.put("alerts", alertLatencies.length);
            r.put("alert_p50_ms", Math.round(Stats.quantile(alertLatencies, 0.5)));
            r.put("alert_p99_ms", Math.round(Stats.quantile(alertLatencies, 0.99)));
            r.put("alert_max_ms", Math.round(Stats.quantile(alertLatencies, 1.0)));
            // Where an alert's time goes: until the monitor emits it (the next token that ends its sentence, the
            // queue on the stream thread, the scoring), then until a read_committed consumer reads it (the commit).
            double[] toEmit = toArray(toEmitMs);
            double[] emitToRead = toArray(emitToReadMs);
            r.put("alert_to_emit_p50_ms", Math.round(Stats.quantile(toEmit, 0.5)));
            r.put("alert_to_emit_p99_ms", Math.round(Stats.quantile(toEmit, 0.99)));
            r.put("alert_emit_to_read_p50_ms", Math.round(Stats.quantile(emitToRead, 0.5)));
            r.put("alert_emit_to_read_p99_ms", Math.round(Stats.quantile(emitToRead, 0.99)));
            r.put("sentences", sentenceLatencies.length);
            r.put("sentence_p50_ms", Math.round(Stats.quantile(sentenceLatencies, 0.5)));
            r.put("sentence_p99_ms", Math.round(Stats.quantile(sentenceLatencies, 0.99)));
            r.put("warm_up_alerts", warmUpLatencies.length);
            r.put("warm_up_alert_p50_ms", Math.round(Stats.quantile(warmUpLatencies, 0.5)));
            r.put("warm_up_alert_p99_ms", Math.round(Stats.quantile(warmUpLatencies, 0.99)));
            r.put("drain_ms", Math.round((lastVerdictNanos.get() - sentAll) / 1e6));
            System.err.printf(Locale.ROOT, "  load %.0f%% (%.2f answers/s): %d alerts, p50 %d ms, p99 %d ms%n", load * 100,
                    r.get("answers_per_s").asDouble(), alertLatencies.length, r.get("alert_p50_ms").asLong(),
                    r.get("alert_p99_ms").asLong());
            return r;
        }
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SafeVarargs
    private static long outputs(ConcurrentLinkedQueue<Long>... read) {
        long n = 0;
        for (ConcurrentLinkedQueue<Long> q : read) {
            n += q.size();
        }
        return n;
    }

    private static double[] toArray(ConcurrentLinkedQueue<Long> xs) {
        return xs.stream().mapToDouble(Long::doubleValue).toArray();
    }
}
