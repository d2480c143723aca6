package io.groundstate.detectors.encoder;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's vectors for the whole words of its own vocabulary, each computed by the model on the word alone
 * (one run per word) when the project is built. Soft support embeds every context word alone, one run each
 * (about 1 ms of a core on the int8 model, whose vectors depend on their batch); most of those words are
 * in the vocabulary, and a lookup returns the vector that run would. The table names the model's id and the
 * SHA-256 of its bytes, so it is never applied to another model.
 */
public final class WordTable {
    private static final int MAGIC = 0x47535754; // "GSWT"
    private static final int VERSION = 1;

    private final String modelId;
    private final byte[] modelDigest;
    private final int dimension;
    private final Map<String, Integer> rows;
    /** One array per word, handed out as it is: a copy per lookup would be held by every request's context index. */
    private final float[][] vectors;

    public WordTable(String modelId, byte[] modelDigest, List<String> words, float[][] vectors) {
        if (words.size() != vectors.length) {
            throw new IllegalArgumentException(words.size() + " words but " + vectors.length + " vectors");
        }
        this.modelId = modelId;
        this.modelDigest = modelDigest.clone();
        this.dimension = vectors.length == 0 ? 0 : vectors[0].length;
        this.rows = new HashMap<>(words.size() * 2);
        this.vectors = new float[words.size()][];
        for (int i = 0; i < words.size(); i++) {
            if (vectors[i].length != dimension) {
                throw new IllegalArgumentException("vector " + i + " has " + vectors[i].length + " dimensions, not " + dimension);
            }
            if (rows.put(words.get(i), i) != null) {
                throw new IllegalArgumentException("word '" + words.get(i) + "' appears twice");
            }
            this.vectors[i] = vectors[i].clone();
        }
    }

    private WordTable(String modelId, byte[] modelDigest, int dimension, Map<String, Integer> rows, float[][] vectors) {
        this.modelId = modelId;
        this.modelDigest = modelDigest;
        this.dimension = dimension;
        this.rows = rows;
        this.vectors = vectors;
    }

    /** Where a built-in model's table lies on the class path. */
    public static String resourceName(String modelName) {
        return "word-vectors/" + modelName + ".bin";
    }

    public static byte[] digest(byte[] modelBytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(modelBytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether this table was computed by the model with this id and these bytes' digest. */
    public boolean belongsTo(String id, byte[] digest) {
        return modelId.equals(id) && Arrays.equals(modelDigest, digest);
    }

    /**
     * The word's vector, or null when the word is not in the table (the lookup is exact). The table's own array, as
     * the encoder cache hands out its own: read it, never write it.
     */
    public float[] vector(String word) {
        Integer row = rows.get(word);
        return row == null ? null : vectors[row];
    }

    public boolean contains(String word) {
        return rows.containsKey(word);
    }

    public int size() {
        return rows.size();
    }

    public String modelId() {
        return modelId;
    }

    public void write(OutputStream out) throws IOException {
        String[] words = new String[rows.size()];
        rows.forEach((w, row) -> words[row] = w);
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeUTF(modelId);
        data.writeInt(modelDigest.length);
        data.write(modelDigest);
        data.writeInt(dimension);
        data.writeInt(words.length);
        for (String w : words) {
            data.writeUTF(w);
        }
        ByteBuffer bytes = ByteBuffer.allocate(vectors.length * dimension * Float.BYTES);
        FloatBuffer floats = bytes.asFloatBuffer();
        for (float[] v : vectors) {
            floats.put(v);
        }
        data.write(bytes.array());
        data.flush();
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a table written by {@link #write}; a truncated or foreign file is an IOException. */
    public static WordTable read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a word table");
        }
        int version = data.readInt();
        if (version != VERSION) {
            throw new IOException("word table version " + version + ", expected " + VERSION);
        }
        String modelId = data.readUTF();
        byte[] digest = new byte[data.readInt()];
        data.readFully(digest);
        int dimension = data.readInt();
        int count = data.readInt();
        if (dimension < 0 || count < 0 || (long) dimension * count > Integer.MAX_VALUE / Float.BYTES) {
            throw new IOException("word table of " + count + " x " + dimension + " is not plausible");
        }
        Map<String, Integer> rows = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            rows.put(data.readUTF(), i);
        }
        byte[] raw = new byte[count * dimension * Float.BYTES];
        data.readFully(raw);
        float[][] vectors = new float[count][dimension];
        FloatBuffer floats = ByteBuffer.wrap(raw).asFloatBuffer();
        for (float[] v : vectors) {
            floats.get(v);
        }
        return new WordTable(modelId, digest, dimension, rows, vectors);
    }

    public static WordTable fromBytes(byte[] bytes) throws IOException {
        return read(new ByteArrayInputStream(bytes));
    }
}
