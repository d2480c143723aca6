package io.groundstate.detectors.monitor;

import io.groundstate.detectors.text.Attribution;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.groundstate.detectors.physics.Basis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the monitor knows about one request. Plain fields so that it serialises as it is
 * (it lives in a state store between events).
 */
public final class RequestState {
    // Schubfach for doubles both ways: the state is written at every commit that changed it, and read back on restore.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /**
     * The layout this state was written in. A state from before the field existed has the same layout and reads as
     * format 1; a format this version does not know (a newer release's, after a rollback) is refused, never guessed.
     */
    public static final int FORMAT = 1;

    public int format = FORMAT;
    public String requestId;
    public String app = "unknown";
    public String model = "unknown";
    public String prompt;
    public boolean finished;
    public String finishReason;
    public long lastEventTime;

    public List<Chunk> chunks = new ArrayList<>();
    public TreeMap<Long, Delta> pending = new TreeMap<>();
    public long nextIndex;
    public String response = "";
    public List<Mark> marks = new ArrayList<>();
    public int committed;
    public List<SentenceRecord> sentences = new ArrayList<>();
    public List<AppSpan> spanEmbeddings = new ArrayList<>();

    // Derived from the chunks and the prompt by the encoder (states, clusters, question, zero point), and nine
    // tenths of the state's size: not serialised, rebuilt (same texts, same batch, same vectors) when a restored
    // state next needs it.
    @JsonIgnore
    public Basis basis;
    /** Derived from the chunks and the prompt for scoring; rebuilt when they change or the state is restored. */
    @JsonIgnore
    transient ContextIndex contextIndex;
    @JsonIgnore
    transient DerivedText promptText;
    public double zeroPoint;
    public int basisVersion;
    public boolean basisDirty;

    public double cusum;
    public boolean driftArmed = true;
    public int previousState = Integer.MIN_VALUE;
    public float[] previousVector;
    public float[] runningSum;

    public int gaps;
    public int duplicates;
    public int unusableChunks;
    /** UTF-8 bytes of prompt, chunk and delta text accepted so far, for the input limit. */
    public long textBytes;
    public int alerts;
    public Set<String> alertIds = new TreeSet<>();

    public static final class Chunk {
        public String chunkId;
        public int rank;
        public String text;
        public float[] embedding;
        @JsonIgnore
        transient DerivedText derived;
    }

    public static final class Delta {
        public String text;
        public double logprob = Double.NaN;
        public double entropy = Double.NaN;
        public long eventTime;
    }

    /** Where each received delta landed in the response. */
    public static final class Mark {
        public int start;
        public int end;
        public double logprob = Double.NaN;
        public double entropy = Double.NaN;
        public long eventTime;
    }

    public static final class SentenceRecord {
        public int index;
        public int start;
        public int end;
        public long eventTime;
        public int scoredWith = -1;
        public double probability;
        public boolean flagged;
        public double[] features;
        public List<Attribution> spans;
    }

    public static final class AppSpan {
        public int start;
        public int end;
        public float[] embedding;
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Thrown for a stored state in a format this version cannot read. */
    public static final class UnreadableState extends IllegalStateException {
        public UnreadableState(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @throws UnreadableState when the bytes are not a state, or one in a format this version does not read */
    public static RequestState fromBytes(byte[] bytes) {
        RequestState s;
        try {
            s = JSON.readValue(bytes, RequestState.class);
        } catch (IOException e) {
            throw new UnreadableState("corrupt request state: " + e.getMessage(), e);
        }
        if (s.format != FORMAT) {
            throw new UnreadableState("request state " + s.requestId + " is in format " + s.format + "; this version "
                    + "reads format " + FORMAT + " (written by a newer release? roll forward, or let it expire)", null);
        }
        return s;
    }
}
