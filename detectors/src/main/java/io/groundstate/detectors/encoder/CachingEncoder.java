package io.groundstate.detectors.encoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers recent embeddings by text. Context passages recur across requests and perturbed
 * sentences recur across re-scoring, so a small LRU saves most encoder calls.
 */
public final class CachingEncoder implements Encoder {
    private final Encoder delegate;
    private final Map<String, float[]> cache;
    private long hits;
    private long misses;

    public CachingEncoder(Encoder delegate, int capacity) {
        this.delegate = delegate;
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String device() {
        return delegate.device();
    }

    @Override
    public synchronized float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        List<String> missing = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        Map<String, Integer> firstMiss = new LinkedHashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            float[] v = cache.get(texts.get(i));
            if (v != null) {
                out[i] = v;
                hits++;
            } else if (!firstMiss.containsKey(texts.get(i))) {
                firstMiss.put(texts.get(i), missing.size());
                missing.add(texts.get(i));
                where.add(i);
                misses++;
            }
        }
        if (!missing.isEmpty()) {
            float[][] fresh = delegate.embed(missing);
            for (int k = 0; k < missing.size(); k++) {
                cache.put(missing.get(k), fresh[k]);
                out[where.get(k)] = fresh[k];
            }
            for (int i = 0; i < texts.size(); i++) {
                if (out[i] == null) {
                    out[i] = fresh[firstMiss.get(texts.get(i))];
                }
            }
        }
        return out;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
