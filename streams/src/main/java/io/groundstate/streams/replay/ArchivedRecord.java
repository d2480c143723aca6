package io.groundstate.streams.replay;

/**
 * One record read from an archive, before decoding: where it came from and its bytes. {@code error} is set
 * instead of bytes when the record could not even be read (a corrupt Avro block, a truncated gzip tail).
 *
 * @param source   the file, or topic-partition
 * @param unit     what position counts: {@code line} (JSON lines, from 1), {@code record} (Avro, from 1) or
 *                 {@code offset} (Kafka)
 */
public record ArchivedRecord(String source, String unit, long position, byte[] value, String error) {
    public static ArchivedRecord of(String source, String unit, long position, byte[] value) {
        return new ArchivedRecord(source, unit, position, value, null);
    }

    public static ArchivedRecord unreadable(String source, String unit, long position, String error) {
        return new ArchivedRecord(source, unit, position, null, error);
    }
}
