package io.groundstate.streams.replay;

import io.groundstate.schemas.Event;
import io.groundstate.schemas.EventCodec;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Archived event files, one after another: JSON lines (one event per line, blank lines ignored), Avro object
 * container files of {@link Event}, either of them gzipped. The form is told from the first bytes, not the
 * file name. A file that ends early (a truncated gzip, a corrupt Avro block) gives one unreadable record and
 * the archive goes on with the next file; {@link #damagedFiles()} says how many did.
 */
public final class FileArchive implements EventArchive {
    static final int MAX_LINE_BYTES = 16 << 20;
    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    private final Iterator<Path> files;
    private final long totalBytes;
    private long finishedBytes;
    private CountingStream counted;
    private String source;
    private InputStream in;
    private DataFileStream<Event> avro;
    private long position;
    private int damaged;

    public FileArchive(List<Path> paths) throws IOException {
        long total = 0;
        for (Path p : paths) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new IOException("cannot read " + p + ": not a readable file");
            }
            total += Files.size(p);
        }
        this.files = new ArrayList<>(paths).iterator();
        this.totalBytes = total;
    }

    @Override
    public ArchivedRecord next() throws IOException {
        while (true) {
            if (in == null && !openNext()) {
                return null;
            }
            try {
                ArchivedRecord r = avro != null ? nextAvro() : nextLine();
                if (r != null) {
                    return r;
                }
            } catch (IOException | AvroRuntimeException e) {
                damaged++;
                ArchivedRecord r = ArchivedRecord.unreadable(source, unit(), position + 1,
                        "unreadable from here on: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                closeCurrent();
                return r;
            }
            closeCurrent();
        }
    }

    private String unit() {
        return avro != null ? "record" : "line";
    }

    private boolean openNext() throws IOException {
        if (!files.hasNext()) {
            return false;
        }
        Path p = files.next();
        source = p.toString();
        position = 0;
        counted = new CountingStream(Files.newInputStream(p));
        InputStream s = new BufferedInputStream(counted, 1 << 16);
        if (startsWith(s, new byte[] {0x1f, (byte) 0x8b})) {
            s = new BufferedInputStream(new GZIPInputStream(s, 1 << 16), 1 << 16);
        }
        in = s;
        if (startsWith(s, AVRO_MAGIC)) {
            try {
                avro = new DataFileStream<>(s, new SpecificDatumReader<>(Event.class));
            } catch (IOException | AvroRuntimeException e) {
                closeCurrent();
                throw new IOException("cannot read " + p + " as an Avro container of groundstate events: "
                        + e.getMessage(), e);
            }
        }
        return true;
    }

    private static boolean startsWith(InputStream s, byte[] magic) throws IOException {
        s.mark(magic.length);
        byte[] head = s.readNBytes(magic.length);
        s.reset();
        return Arrays.equals(head, magic);
    }

    private ArchivedRecord nextAvro() {
        if (!avro.hasNext()) {
            return null;
        }
        position++;
        Event e = avro.next();
        return ArchivedRecord.of(source, "record", position, EventCodec.toAvro(e));
    }

    private ArchivedRecord nextLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            line.reset();
            boolean tooLong = false;
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (line.size() < MAX_LINE_BYTES) {
                    line.write(b);
                } else {
                    tooLong = true;
                }
            }
            if (b < 0 && line.size() == 0) {
                return null;
            }
            position++;
            if (tooLong) {
                return ArchivedRecord.unreadable(source, "line", position, "line longer than " + MAX_LINE_BYTES + " bytes");
            }
            byte[] bytes = line.toByteArray();
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            if (!isBlank(bytes, end)) {
                return ArchivedRecord.of(source, "line", position, end == bytes.length ? bytes : Arrays.copyOf(bytes, end));
            }
        }
    }

    private static boolean isBlank(byte[] b, int end) {
        for (int i = 0; i < end; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private void closeCurrent() throws IOException {
        finishedBytes += counted == null ? 0 : counted.count;
        counted = null;
        try {
            if (avro != null) {
                avro.close();
            } else if (in != null) {
                in.close();
            }
        } finally {
            avro = null;
            in = null;
        }
    }

    @Override
    public double progress() {
        long read = finishedBytes + (counted == null ? 0 : counted.count);
        return totalBytes == 0 ? 1 : Math.min(1, (double) read / totalBytes);
    }

    /** Files that ended early: the records after the damage were not read. */
    public int damagedFiles() {
        return damaged;
    }

    @Override
    public void close() throws IOException {
        closeCurrent();
    }

    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b >= 0 ? 1 : 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(0, n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += k;
            return k;
        }
    }
}
