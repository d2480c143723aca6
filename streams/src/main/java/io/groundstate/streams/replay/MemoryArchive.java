package io.groundstate.streams.replay;

import java.util.List;

/** Records already in memory, for benchmarks and tests: nothing to read, so only replay itself is measured. */
public final class MemoryArchive implements EventArchive {
    private final List<byte[]> records;
    private int next;

    public MemoryArchive(List<byte[]> records) {
        this.records = records;
    }

    @Override
    public ArchivedRecord next() {
        if (next >= records.size()) {
            return null;
        }
        next++;
        return ArchivedRecord.of("memory", "record", next, records.get(next - 1));
    }

    @Override
    public double progress() {
        return records.isEmpty() ? 1 : (double) next / records.size();
    }

    @Override
    public void close() {
    }
}
