package io.groundstate.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RequestActivityTest {
    private KeyValueStore<String, RequestActivity.Activity> byId;
    private KeyValueStore<Bytes, byte[]> byTime;

    @BeforeEach
    void stores() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        byId = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("a"), Serdes.String(),
                RequestActivity.Activity.SERDE).withLoggingDisabled().build();
        byTime = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("t"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        byId.init(context.getStateStoreContext(), byId);
        byTime.init(context.getStateStoreContext(), byTime);
    }

    /** Times across many byte magnitudes and ids of any script: the range finds exactly the due ones. */
    @Test
    void dueIsExactlyTheRequestsPastTheirBoundWhateverTheirTimesAndIds() {
        RequestActivity index = new RequestActivity(byId, byTime);
        Random random = new Random(7);
        TreeMap<String, RequestActivity.Activity> truth = new TreeMap<>();
        for (int i = 0; i < 2_000; i++) {
            String id = (i % 3 == 0 ? "réq-" : i % 3 == 1 ? "要求-" : "r") + random.nextInt(500);
            long t = random.nextBoolean() ? random.nextInt(1_000) : (long) (random.nextDouble() * 2e12);
            RequestActivity.Activity next = new RequestActivity.Activity(t, random.nextInt(4) == 0);
            index.put(id, truth.get(id), next);
            truth.put(id, next);
        }
        for (long bound : new long[] {-1, 0, 255, 256, 999, 65_536, 1_700_000_000_000L, Long.MAX_VALUE - 1}) {
            long idle = bound;
            long finished = bound / 2;
            Set<String> expected = truth.entrySet().stream()
                    .filter(e -> e.getValue().lastMs() <= (e.getValue().finished() ? finished : idle))
                    .map(e -> e.getKey() + (e.getValue().finished() ? "/finished" : "/idle"))
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> got = index.due(idle, finished).stream()
                    .map(d -> d.id() + (d.finished() ? "/finished" : "/idle"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expected, got, "bound " + bound);
        }
        assertEquals(truth.size(), index.stored());
        assertEquals(truth.values().stream().filter(a -> !a.finished()).count(), index.active());
        assertEquals(truth.size(), countIndexEntries(), "one index entry per request: a move deletes the old one");
    }

    /** An activity store written before the time index existed (an upgrade) gets its index on first use. */
    @Test
    void requestsHeldBeforeTheIndexExistedAreIndexedAndCounted() {
        byId.put("old-active", new RequestActivity.Activity(1_000, false));
        byId.put("old-finished", new RequestActivity.Activity(2_000, true));
        RequestActivity index = new RequestActivity(byId, byTime);
        assertEquals(2, index.stored());
        assertEquals(1, index.active());
        assertEquals(Set.of("old-active"), ids(index, 1_000, 0));
        assertEquals(Set.of("old-active", "old-finished"), ids(index, 5_000, 5_000));
    }

    /** An index entry that no longer matches its request (writes aborted under it) is dropped, never acted on. */
    @Test
    void aStaleIndexEntryIsDroppedNotReturned() {
        RequestActivity index = new RequestActivity(byId, byTime);
        index.put("r", null, new RequestActivity.Activity(1_000, false));
        byId.put("r", new RequestActivity.Activity(9_000, false)); // the id store moved on, its old index entry stayed
        byTime.put(RequestActivity.timeKey("r", new RequestActivity.Activity(9_000, false)), new byte[0]);
        assertEquals(Set.of(), ids(index, 5_000, 5_000));
        assertEquals(1, countIndexEntries());
        assertEquals(Set.of("r"), ids(index, 9_000, 0));
        index.delete("r", byId.get("r"));
        assertNull(byId.get("r"));
        assertEquals(0, countIndexEntries());
        assertEquals(0, index.stored());
    }

    @Test
    void theActivityValueKeepsItsNineByteLayoutAndRefusesAnyOther() {
        byte[] b = RequestActivity.Activity.SERDE.serializer().serialize("t", new RequestActivity.Activity(258, true));
        assertEquals("00000000000001020" + "1", java.util.HexFormat.of().formatHex(b));
        assertEquals(new RequestActivity.Activity(258, true), RequestActivity.Activity.SERDE.deserializer().deserialize("t", b));
        assertThrows(IllegalStateException.class,
                () -> RequestActivity.Activity.SERDE.deserializer().deserialize("t", new byte[8]));
    }

    private static Set<String> ids(RequestActivity index, long idle, long finished) {
        return index.due(idle, finished).stream().map(RequestActivity.Due::id).collect(Collectors.toSet());
    }

    private long countIndexEntries() {
        try (var it = byTime.all()) {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        }
    }
}
