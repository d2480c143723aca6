package io.groundstate.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.streams.topology.RequestRouting.Route;
import io.groundstate.streams.topology.RequestRouting.Source;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The routing decision, for keys that Java's and librdkafka's default partitioners place differently. */
class RequestRoutingTest {
    static final Predicate<String> NOTHING_HELD = id -> false;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6, 12})
    void theOwnerIsWhatJavasDefaultPartitionerPicksAndTheRekeyedSinkWritesThere(int partitions) {
        var sink = RequestRouting.<byte[]>rekeyedPartitioner();
        for (int i = 0; i < 2_000; i++) {
            String id = "req-" + i + (i % 7 == 0 ? "-é€😀" : ""); // non-ASCII ids hash their UTF-8 bytes
            int owner = RequestRouting.partitionOf(id, partitions);
            assertEquals(BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), partitions), owner, id);
            assertEquals(Optional.of(Set.of(owner)), sink.partitions("t", id, null, partitions));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 6})
    void aKeyedRecordOnItsLibrdkafkaPartitionMovesExactlyWhenThatIsNotItsOwner(int partitions) {
        int differ = 0;
        int agree = 0;
        for (int i = 0; i < 500; i++) {
            String id = "request-" + i;
            int crc = RequestRouting.librdkafkaDefaultPartition(id, partitions);
            int owner = RequestRouting.partitionOf(id, partitions);
            Route r = RequestRouting.route(Source.EVENTS, true, crc, id, partitions, NOTHING_HELD);
            if (crc == owner) {
                agree++;
                assertEquals(Route.MONITOR, r, id);
            } else {
                differ++;
                assertEquals(Route.REKEY_OTHER_PARTITION, r, id);
                // Read back from the rekeyed topic, where the sink put it, it stays: no second hop.
                assertEquals(Route.MONITOR, RequestRouting.route(Source.REKEYED, true, owner, id, partitions, NOTHING_HELD));
            }
        }
        // Both cases occur, and most keys differ: 1 in N agree by chance.
        assertTrue(differ > 500 * (partitions - 1) / partitions * 0.8, "differ " + differ);
        assertTrue(agree > 0, "agree " + agree);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 6})
    void aRequestHeldHereBeforeTheUpgradeStaysAndOnlyMisplacedRecordsAskTheStore(int partitions) {
        AtomicInteger asked = new AtomicInteger();
        Predicate<String> held = id -> {
            asked.incrementAndGet();
            return true;
        };
        for (int i = 0; i < 200; i++) {
            String id = "upgrade-" + i;
            int owner = RequestRouting.partitionOf(id, partitions);
            int before = asked.get();
            assertEquals(Route.MONITOR, RequestRouting.route(Source.EVENTS, true, owner, id, partitions, held));
            assertEquals(before, asked.get(), "a placed record costs no store read");
            int other = (owner + 1) % partitions;
            assertEquals(Route.MONITOR_HELD_HERE, RequestRouting.route(Source.EVENTS, true, other, id, partitions, held));
            assertEquals(before + 1, asked.get());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void unkeyedAndExtraTopicRecordsAlwaysMove(int partitions) {
        String id = "r-1";
        int owner = RequestRouting.partitionOf(id, partitions);
        assertEquals(Route.REKEY_NOT_KEYED, RequestRouting.route(Source.EVENTS, false, owner, id, partitions, NOTHING_HELD));
        assertEquals(Route.REKEY_NOT_KEYED, RequestRouting.route(Source.REKEYED, false, owner, id, partitions, NOTHING_HELD));
        assertEquals(Route.REKEY_EXTRA_TOPIC, RequestRouting.route(Source.EXTRA, true, owner, id, partitions, NOTHING_HELD));
        assertEquals(Set.of("not_keyed", "other_partition", "extra_topic"), RequestRouting.REKEY_REASONS);
    }
}
