package io.groundstate.streams.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When each request of a task was last active and whether it finished, in two stores: by request id
 * ({@code request-activity}, which the decoder asks whether a request is held here), and by time
 * ({@code request-expiry}: finished or not, then the last activity, then the id), so that a sweep reads only the
 * requests that are due instead of every one the task holds.
 */
final class RequestActivity {
    /** A request's last wall-clock activity (ms) and whether it finished. */
    record Activity(long lastMs, boolean finished) {
        /** The value as the activity store has always held it: the time, big-endian, then one byte. */
        static final Serde<Activity> SERDE = Serdes.serdeFrom(
                (Serializer<Activity>) (topic, a) -> a == null ? null
                        : ByteBuffer.allocate(9).putLong(a.lastMs).put((byte) (a.finished ? 1 : 0)).array(),
                (Deserializer<Activity>) (topic, b) -> {
                    if (b == null) {
                        return null;
                    }
                    if (b.length != 9) {
                        throw new IllegalStateException("request activity of " + b.length + " bytes, expected 9");
                    }
                    ByteBuffer buf = ByteBuffer.wrap(b);
                    return new Activity(buf.getLong(), buf.get() != 0);
                });
    }

    /** A request the sweep must act on: end it (idle) or forget it (finished, past the retention). */
    record Due(String id, boolean finished) {
    }

    private static final byte ACTIVE = 'a';
    private static final byte FINISHED = 'f';
    private static final byte[] EMPTY = new byte[0];

    private final KeyValueStore<String, Activity> byId;
    private final KeyValueStore<Bytes, byte[]> byTime;
    private long active;
    private long stored;

    /**
     * Counts the task's requests once and, where the time index is empty but requests are held (a state written
     * before the index existed), builds it from them.
     */
    RequestActivity(KeyValueStore<String, Activity> byId, KeyValueStore<Bytes, byte[]> byTime) {
        this.byId = byId;
        this.byTime = byTime;
        boolean indexed;
        try (KeyValueIterator<Bytes, byte[]> it = byTime.all()) {
            indexed = it.hasNext();
        }
        try (KeyValueIterator<String, Activity> it = byId.all()) {
            while (it.hasNext()) {
                KeyValue<String, Activity> kv = it.next();
                stored++;
                active += kv.value.finished() ? 0 : 1;
                if (!indexed) {
                    byTime.put(timeKey(kv.key, kv.value), EMPTY);
                }
            }
        }
    }

    Activity get(String id) {
        return byId.get(id);
    }

    /** Records {@code id}'s activity, moving it in the time index; {@code before} is what was stored, or null. */
    void put(String id, Activity before, Activity now) {
        if (before != null) {
            byTime.delete(timeKey(id, before));
        }
        byId.put(id, now);
        byTime.put(timeKey(id, now), EMPTY);
        stored += before == null ? 1 : 0;
        active += (now.finished() ? 0 : 1) - (before == null || before.finished() ? 0 : 1);
    }

    /** Forgets {@code id}; {@code before} is what was stored for it. */
    void delete(String id, Activity before) {
        byId.delete(id);
        if (before != null) {
            byTime.delete(timeKey(id, before));
            stored--;
            active -= before.finished() ? 0 : 1;
        }
    }

    /**
     * Active requests last seen at or before {@code idleBefore}, then finished ones at or before
     * {@code finishedBefore}. An index entry that no longer matches its request's activity (left by a task whose
     * writes were aborted while this one's memory was not) is dropped on the way.
     */
    List<Due> due(long idleBefore, long finishedBefore) {
        List<Bytes> keys = new ArrayList<>();
        collect(ACTIVE, idleBefore, keys);
        collect(FINISHED, finishedBefore, keys);
        List<Due> due = new ArrayList<>();
        for (Bytes key : keys) {
            ByteBuffer b = ByteBuffer.wrap(key.get());
            boolean finished = b.get() == FINISHED;
            long lastMs = b.getLong();
            String id = StandardCharsets.UTF_8.decode(b).toString();
            Activity now = byId.get(id);
            if (now == null || now.finished() != finished || now.lastMs() != lastMs) {
                byTime.delete(key);
            } else {
                due.add(new Due(id, finished));
            }
        }
        return due;
    }

    private void collect(byte kind, long lastAtMost, List<Bytes> into) {
        if (lastAtMost < 0) {
            return;
        }
        Bytes from = Bytes.wrap(ByteBuffer.allocate(9).put(kind).putLong(0).array());
        Bytes to = Bytes.wrap(ByteBuffer.allocate(9).put(kind).putLong(lastAtMost + 1).array());
        try (KeyValueIterator<Bytes, byte[]> it = byTime.range(from, to)) {
            while (it.hasNext()) {
                Bytes key = it.next().key;
                if (ByteBuffer.wrap(key.get(), 1, 8).getLong() > lastAtMost) {
                    break; // only the bare bound itself, which no request has
                }
                into.add(key);
            }
        }
    }

    long active() {
        return active;
    }

    long stored() {
        return stored;
    }

    /** Big-endian time after the kind byte: byte order is time order (wall-clock times are positive). */
    static Bytes timeKey(String id, Activity a) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(9 + idBytes.length).put(a.finished() ? FINISHED : ACTIVE)
                .putLong(a.lastMs()).put(idBytes).array());
    }
}
