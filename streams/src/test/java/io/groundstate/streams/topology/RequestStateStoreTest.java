package io.groundstate.streams.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.groundstate.detectors.monitor.RequestState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;

/** States reach the serialised store at flush (before a commit), on eviction, and never after a re-init. */
class RequestStateStoreTest {
    private RequestStateStore store;
    private StateStoreContext context;

    @BeforeEach
    void open() {
        store = open(2);
    }

    private RequestStateStore open(int live) {
        RequestStateStore s = RequestStateStore.builder(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("request-state"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled(), live).build();
        context = new MockProcessorContext<>().getStateStoreContext();
        s.init(context, s);
        return s;
    }

    private static RequestState state(String id, int tokens) {
        RequestState s = new RequestState();
        s.requestId = id;
        s.response = "x".repeat(tokens);
        return s;
    }

    @Test
    void aChangeIsWrittenAtFlushNotAtPut() {
        RequestState a = state("a", 3);
        store.put("a", a);
        assertNull(store.persisted().get("a"), "not serialised per event");
        assertSame(a, store.get("a"));
        store.flush();
        assertArrayEquals(a.toBytes(), store.persisted().get("a"));
        a.response = "changed";
        store.put("a", a);
        store.commit(java.util.Map.of());
        assertEquals("changed", RequestState.fromBytes(store.persisted().get("a")).response);
    }

    @Test
    void theCacheFlushBeforeEachCommitWritesChangesAndADirtyCloseDropsThem() {
        // Kafka Streams calls flushCache() before every commit, flush() only when it checkpoints (ChaosTest).
        CachedStateStore<String, byte[]> asStreamsSeesIt = store;
        RequestState a = state("a", 3);
        store.put("a", a);
        asStreamsSeesIt.flushCache();
        assertArrayEquals(a.toBytes(), store.persisted().get("a"));
        a.response = "uncommitted";
        store.put("a", a);
        asStreamsSeesIt.clearCache();
        assertEquals(state("a", 3).response, store.get("a").response, "the stored state, not the unwritten change");
        asStreamsSeesIt.flushCache();
        assertEquals(state("a", 3).response, RequestState.fromBytes(store.persisted().get("a")).response);
    }

    @Test
    void anEvictedChangeIsWrittenFirst() {
        store.put("a", state("a", 1));
        store.put("b", state("b", 2));
        store.put("c", state("c", 3)); // two live at most: a leaves memory
        assertNotNull(store.persisted().get("a"), "a's unwritten change must not be lost");
        assertNull(store.persisted().get("c"));
        assertEquals(1, store.get("a").response.length(), "read back from the store");
    }

    @Test
    void reinitialisingDropsUnwrittenChanges() {
        store.put("a", state("a", 1));
        store.flush();
        RequestState changed = state("a", 5);
        store.put("a", changed);
        store.init(context, store); // an aborted transaction: the task restarts from what was committed
        assertEquals(1, store.get("a").response.length());
        store.flush();
        assertEquals(1, RequestState.fromBytes(store.persisted().get("a")).response.length());
    }

    @Test
    void deleteForgetsBothCopies() {
        store.put("a", state("a", 1));
        store.flush();
        store.put("a", state("a", 2));
        store.delete("a");
        store.flush();
        assertNull(store.get("a"));
        assertNull(store.persisted().get("a"));
    }
}
