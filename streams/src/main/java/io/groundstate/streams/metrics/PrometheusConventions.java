package io.groundstate.streams.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Arrays;
import java.util.Set;

/**
 * Keeps a scrape within Prometheus's conventions, so that it passes {@code promtool check metrics}, by adjusting
 * the Kafka client, JVM and process meters (groundstate's own are left alone): timings Kafka reports in
 * nanoseconds or milliseconds by name (io_time_ns_total, txn_commit_time_ns_total, process_cpu_time_ns) are
 * dropped, since Prometheus wants seconds and a filter cannot rescale them; a gauge ending in count is named for
 * what it counts (connection_count becomes connections); a meter Kafka gives no description gets one.
 */
final class PrometheusConventions implements MeterFilter {
    private static final Set<String> ABBREVIATED_UNITS = Set.of("ns", "us", "ms");

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        if (id.getName().startsWith("groundstate.")) {
            return MeterFilterReply.NEUTRAL;
        }
        boolean abbreviated = Arrays.stream(id.getName().split("\\.")).anyMatch(ABBREVIATED_UNITS::contains)
                || id.getBaseUnit() != null && ABBREVIATED_UNITS.contains(id.getBaseUnit());
        return abbreviated ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getName().startsWith("groundstate.")) {
            return id;
        }
        String name = id.getName();
        if (id.getType() == Meter.Type.GAUGE && name.endsWith(".count")) {
            String counted = name.substring(0, name.length() - ".count".length());
            name = counted.endsWith("s") ? counted + ".number" : counted + "s";
        }
        boolean undescribed = id.getDescription() == null || id.getDescription().isBlank();
        if (name.equals(id.getName()) && !undescribed) {
            return id;
        }
        String description = undescribed ? "Kafka client metric " + id.getName() + " (Kafka gives no description)."
                : id.getDescription();
        return new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }
}
