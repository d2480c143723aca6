package io.groundstate.streams.metrics;

import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.encoder.ForwardingEncoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * Times and counts the calls that reach the model. It sits under the cache and the coalescer, so a batch is
 * what the coalescer gathered and cache hits never show as work.
 */
public final class MeteredEncoder extends ForwardingEncoder implements MeterBinder {
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    private static final Duration[] RUN_BUCKETS = GroundstateMetrics.millis(1, 2, 5, 10, 25, 50, 100, 250, 500,
            1_000, 2_500, 5_000, 10_000);

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final DistributionSummary batch;
    private final Timer run;
    private final Counter texts;

    /** @param requestedDevice the device the configuration asked for (auto, cpu, cuda, cuda:N) */
    public MeteredEncoder(Encoder delegate, String requestedDevice) {
        super(delegate);
        MeterCatalog.Entry b = MeterCatalog.ENCODER_BATCH;
        batch = DistributionSummary.builder(b.name()).description(b.description()).baseUnit(b.baseUnit())
                .serviceLevelObjectives(BATCH_BUCKETS).register(registry);
        MeterCatalog.Entry r = MeterCatalog.ENCODER_RUN;
        run = Timer.builder(r.name()).description(r.description()).serviceLevelObjectives(RUN_BUCKETS).register(registry);
        MeterCatalog.Entry t = MeterCatalog.ENCODER_TEXTS;
        texts = Counter.builder(t.name()).description(t.description()).baseUnit(t.baseUnit()).register(registry);
        MeterCatalog.Entry i = MeterCatalog.ENCODER_INFO;
        Gauge.builder(i.name(), () -> 1).description(i.description())
                .tags(GroundstateMetrics.checked(i, "model", delegate.id(), "device", device(delegate.device()),
                        "requested", requestedDevice))
                .register(registry);
    }

    private static String device(String device) {
        return device == null || device.isBlank() ? "cpu" : device;
    }

    @Override
    public void bindTo(MeterRegistry target) {
        registry.add(target);
    }

    @Override
    public float[][] embed(List<String> list) {
        if (list.isEmpty()) {
            return delegate.embed(list);
        }
        long t0 = System.nanoTime();
        float[][] out = delegate.embed(list);
        run.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        batch.record(list.size());
        texts.increment(list.size());
        return out;
    }

    /** One text's run with tokens left out of its pool (occlusion): one run, one text. */
    @Override
    public float[][] embedWithout(String text, List<int[]> spans) {
        long t0 = System.nanoTime();
        float[][] out = delegate.embedWithout(text, spans);
        run.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        batch.record(1);
        texts.increment();
        return out;
    }
}
