package io.groundstate.streams.metrics;

import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.schemas.EventCodec;
import io.groundstate.streams.topology.DeadLetters;
import io.groundstate.streams.topology.MonitorStep;
import io.groundstate.streams.topology.RequestRouting;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * What the topology does, as meters: events in, dead letters, sentences, verdicts, alerts, score distributions,
 * alert latency and the requests in state. Until it is bound to a registry it records nothing, so the topology
 * can always be given one.
 */
public final class GroundstateMetrics implements MeterBinder {

    private static final double[] ENERGY_BUCKETS = concat(steps(0.05, 20), new double[] {1.25, 1.5, 2.0});
    private static final double[] PROBABILITY_BUCKETS = steps(0.05, 20);
    private static final Duration[] LATENCY_BUCKETS = millis(10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
            30_000, 60_000);

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final TagValues apps;
    private final TagValues models;
    private final Map<String, Counter> eventsIn = new ConcurrentHashMap<>();
    private final Map<String, long[]> requestsByTask = new ConcurrentHashMap<>();
    private final Map<MeterKey, Meter> meters = new ConcurrentHashMap<>();

    public GroundstateMetrics(TagValues apps, TagValues models) {
        this.apps = apps;
        this.models = models;
        for (String kind : EventCodec.KINDS.keySet()) {
            eventsIn.put(kind, counter(MeterCatalog.EVENTS_IN, "kind", kind));
        }
        // Registered at zero so that the first dead letter (or rekeyed event) shows in increase() and rate().
        for (String reason : RequestRouting.REKEY_REASONS) {
            counter(MeterCatalog.REKEYED, "reason", reason);
        }
        for (String code : DeadLetters.DECODE_REASON_CODES) {
            counter(MeterCatalog.DEAD_LETTERS, "stage", DeadLetters.STAGE_DECODE, "reason", code);
        }
        for (String code : DeadLetters.MONITOR_REASON_CODES) {
            counter(MeterCatalog.DEAD_LETTERS, "stage", DeadLetters.STAGE_MONITOR, "reason", code);
        }
        for (MonitorOutput.AlertKind kind : MonitorOutput.AlertKind.values()) {
            timer(MeterCatalog.ALERT_LATENCY, LATENCY_BUCKETS, "kind", kind.name().toLowerCase(Locale.ROOT));
        }
        gauge(MeterCatalog.REQUESTS_ACTIVE, 0);
        gauge(MeterCatalog.STATE_REQUESTS, 1);
    }

    /** Meters that record nothing: for tests and tools that run the topology without an endpoint. */
    public static GroundstateMetrics unbound() {
        return new GroundstateMetrics(new TagValues(List.of(), 0), new TagValues(List.of(), 0));
    }

    @Override
    public void bindTo(MeterRegistry target) {
        registry.add(target);
    }

    /** @param kind the event's kind as the schemas name it ({@code EventCodec.kindOf}) */
    public void eventIn(String kind) {
        Counter c = eventsIn.get(kind);
        (c != null ? c : counter(MeterCatalog.EVENTS_IN, "kind", kind)).increment();
    }

    /** @param reason why the event took the rekeyed topic ({@link RequestRouting.Route#reason()}) */
    public void rekeyed(String reason) {
        counter(MeterCatalog.REKEYED, "reason", reason).increment();
    }

    public void deadLetter(String stage, String reasonCode) {
        counter(MeterCatalog.DEAD_LETTERS, "stage", stage, "reason", reasonCode).increment();
    }

    /** Counts what the monitor emitted; {@code nowMs} is when the outputs leave it. */
    public void outputs(List<MonitorOutput> outputs, long nowMs) {
        for (MonitorOutput o : outputs) {
            if (o instanceof MonitorOutput.SpanScore s) {
                String app = apps.of(s.app());
                String model = models.of(s.model());
                counter(MeterCatalog.SENTENCES, "app", app, "model", model, "flagged", Boolean.toString(s.flagged()))
                        .increment();
                if (s.features() != null && s.features().length > SentenceFeature.ENERGY.ordinal()
                        && Double.isFinite(SentenceFeature.ENERGY.of(s.features()))) {
                    summary(MeterCatalog.ENERGY, ENERGY_BUCKETS, app, model).record(SentenceFeature.ENERGY.of(s.features()));
                }
                if (Double.isFinite(s.probability())) {
                    summary(MeterCatalog.PROBABILITY, PROBABILITY_BUCKETS, app, model).record(s.probability());
                }
            } else if (o instanceof MonitorOutput.Alert a) {
                String kind = a.kind().name().toLowerCase(Locale.ROOT);
                counter(MeterCatalog.ALERTS, "kind", kind, "severity", a.severity().name().toLowerCase(Locale.ROOT),
                        "app", apps.of(a.app()), "model", models.of(a.model())).increment();
                long emitted = a.emitTime() > 0 ? a.emitTime() : nowMs;
                timer(MeterCatalog.ALERT_LATENCY, LATENCY_BUCKETS, "kind", kind)
                        .record(Duration.ofMillis(Math.max(0, emitted - a.eventTime())));
            } else if (o instanceof MonitorOutput.Verdict v) {
                counter(MeterCatalog.RESPONSES, "app", apps.of(v.app()), "model", models.of(v.model()),
                        "hallucinated", Boolean.toString(v.hallucinated()),
                        "ended", MonitorStep.IDLE_TIMEOUT.equals(v.finishReason()) ? MonitorStep.IDLE_TIMEOUT : "finished").increment();
            }
        }
    }

    /** One task's count of requests in state, as of its last sweep. */
    public void requests(String task, long active, long stored) {
        requestsByTask.put(task, new long[] {active, stored});
    }

    public void taskClosed(String task) {
        requestsByTask.remove(task);
    }

    private void gauge(MeterCatalog.Entry e, int index) {
        Gauge.builder(e.name(), requestsByTask, m -> m.values().stream().mapToLong(v -> v[index]).sum())
                .description(e.description()).baseUnit(e.baseUnit()).register(registry);
    }

    private Counter counter(MeterCatalog.Entry e, String... tags) {
        return memo(e, tags, () -> Counter.builder(e.name()).description(e.description()).baseUnit(e.baseUnit())
                .tags(checked(e, tags)).register(registry));
    }

    private DistributionSummary summary(MeterCatalog.Entry e, double[] buckets, String app, String model) {
        String[] tags = {"app", app, "model", model};
        return memo(e, tags, () -> DistributionSummary.builder(e.name()).description(e.description())
                .baseUnit(e.baseUnit()).tags(checked(e, tags)).serviceLevelObjectives(buckets).register(registry));
    }

    private Timer timer(MeterCatalog.Entry e, Duration[] buckets, String... tags) {
        return memo(e, tags, () -> Timer.builder(e.name()).description(e.description()).tags(checked(e, tags))
                .serviceLevelObjectives(buckets).register(registry));
    }

    /**
     * The meter registered under this name and these tags, registered the first time: building and registering
     * it again at every sentence was a few percent of a stream thread. Meters are never removed, and the
     * composite registry's meters reach the registries bound later too.
     */
    @SuppressWarnings("unchecked")
    private <M extends Meter> M memo(MeterCatalog.Entry e, String[] tags, Supplier<M> register) {
        MeterKey key = new MeterKey(e.name(), Arrays.asList(tags));
        Meter m = meters.get(key); // computeIfAbsent locks its bin even when the meter is there
        return (M) (m != null ? m : meters.computeIfAbsent(key, k -> register.get()));
    }

    private record MeterKey(String name, List<String> tags) {
    }

    /** Tags exactly as the catalog declares them, so the generated reference cannot drift from the code. */
    public static Tags checked(MeterCatalog.Entry e, String... keyValues) {
        List<String> keys = IntStream.range(0, keyValues.length / 2).mapToObj(i -> keyValues[2 * i]).toList();
        if (!keys.equals(e.tagKeys())) {
            throw new IllegalArgumentException(e.name() + " is declared with tags " + e.tagKeys() + ", not " + keys);
        }
        return Tags.of(keyValues);
    }

    private static double[] steps(double step, int n) {
        return IntStream.rangeClosed(1, n).mapToDouble(i -> Math.round(i * step * 1e6) / 1e6).toArray();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static Duration[] millis(long... ms) {
        return java.util.Arrays.stream(ms).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    }
}
