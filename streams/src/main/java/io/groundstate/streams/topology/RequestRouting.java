package io.groundstate.streams.topology;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Which task owns a request, and whether a record already reached it. Producers do not agree on partitioners
 * (Java's default hashes a key with murmur2, librdkafka's with CRC32, others with their own), so the partition an
 * app's record sits on says nothing by itself. groundstate decides ownership with one function, Kafka's own
 * murmur2 partition of the request id's UTF-8 bytes over the rekeyed topic's partitions, and uses it both to
 * write the rekeyed topic and to check where a record was read.
 */
public final class RequestRouting {
    /** Where a decoded event goes next, and why (the reason is a metric tag). */
    public enum Route {
        MONITOR(null),
        /** Stored here before groundstate routed by partition (an upgrade): the request finishes where it began. */
        MONITOR_HELD_HERE(null),
        REKEY_NOT_KEYED("not_keyed"),
        REKEY_OTHER_PARTITION("other_partition"),
        REKEY_EXTRA_TOPIC("extra_topic");

        private final String reason;

        Route(String reason) {
            this.reason = reason;
        }

        public boolean toMonitor() {
            return reason == null;
        }

        /** The metric tag of a record that takes the extra hop through the rekeyed topic. */
        public String reason() {
            return reason;
        }
    }

    /** The reasons a record is rekeyed, as {@link Route#reason()} gives them. */
    public static final Set<String> REKEY_REASONS = Set.of(Route.REKEY_NOT_KEYED.reason, Route.REKEY_OTHER_PARTITION.reason,
            Route.REKEY_EXTRA_TOPIC.reason);

    private RequestRouting() {
    }

    /** The partition, of {@code partitions}, that owns a request: what Kafka's default partitioner picks for its id. */
    public static int partitionOf(String requestId, int partitions) {
        return Utils.toPositive(Utils.murmur2(requestId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * Where librdkafka's default partitioner ({@code consistent_random}) puts a keyed record: CRC32 of the key, modulo
     * the partitions. Python's confluent-kafka, kcat, Go's and .NET's Confluent clients use it. For tests and
     * benchmarks that write as those clients do; PartitionerClientsTest checks it against them.
     */
    public static int librdkafkaDefaultPartition(String key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    /**
     * @param source      where the record was read: the events topic, the rekeyed topic or an extra topic
     * @param keyedById   whether its key is its request id's bytes
     * @param partition   the partition it was read from
     * @param partitions  the rekeyed topic's partitions (whose task ownership follows)
     * @param heldHere    whether this task already holds a state for the request; asked only for a record that
     *                    would otherwise move, so that the common case costs one hash
     */
    public static Route route(Source source, boolean keyedById, int partition, String requestId, int partitions,
                              Predicate<String> heldHere) {
        if (source == Source.EXTRA) {
            return Route.REKEY_EXTRA_TOPIC; // another sub-topology, without the state: always through the rekeyed topic
        }
        if (!keyedById) {
            return Route.REKEY_NOT_KEYED;
        }
        if (source == Source.REKEYED) {
            return Route.MONITOR; // written by our own partitioner; checking again could only loop
        }
        if (partition == partitionOf(requestId, partitions)) {
            return Route.MONITOR;
        }
        return heldHere.test(requestId) ? Route.MONITOR_HELD_HERE : Route.REKEY_OTHER_PARTITION;
    }

    /** Where a record was read. */
    public enum Source { EVENTS, REKEYED, EXTRA }

    /** The rekeyed topic's partitioner: the same function the routing check compares against. */
    static <V> StreamPartitioner<String, V> rekeyedPartitioner() {
        return (topic, key, value, partitions) -> Optional.of(Set.of(partitionOf(key, partitions)));
    }
}
