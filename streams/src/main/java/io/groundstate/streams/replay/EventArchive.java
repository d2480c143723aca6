package io.groundstate.streams.replay;

import java.io.IOException;

/** A finite, ordered source of archived event records: files or a snapshot of a Kafka topic. */
public interface EventArchive extends AutoCloseable {

    /** The next record, or null at the end. */
    ArchivedRecord next() throws IOException;

    /** How much of the archive has been read, from 0 to 1; NaN when unknown. */
    double progress();

    @Override
    void close() throws IOException;
}
