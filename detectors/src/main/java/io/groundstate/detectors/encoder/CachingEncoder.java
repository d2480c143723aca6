package io.groundstate.detectors.encoder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers recent embeddings by text. Context passages recur across requests and perturbed
 * sentences recur across re-scoring, so a small LRU saves most encoder calls. The lock covers the
 * map only, never the delegate, so callers on other threads can be served from the cache (or
 * batched together by a {@link CoalescingEncoder} behind this one) while a run is in progress; a text that
 * another caller is embedding at that moment is waited for, not embedded twice (concurrent requests for
 * the same source would otherwise each embed its whole context).
 */
public final class CachingEncoder extends ForwardingEncoder {
    private final Map<String, float[]> cache;
    private final Map<String, CompletableFuture<float[]>> inFlight = new HashMap<>();
    private long hits;
    private long misses;

    public CachingEncoder(Encoder delegate, int capacity) {
        super(delegate);
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        Map<String, Integer> mine = new LinkedHashMap<>();
        Map<Integer, CompletableFuture<float[]>> theirs = new HashMap<>();
        synchronized (this) {
            for (int i = 0; i < texts.size(); i++) {
                String t = texts.get(i);
                float[] v = cache.get(t);
                if (v != null) {
                    out[i] = v;
                    hits++;
                } else if (mine.containsKey(t)) {
                    continue; // repeated within this call
                } else if (inFlight.containsKey(t)) {
                    theirs.put(i, inFlight.get(t)); // another caller is embedding it right now
                    hits++;
                } else {
                    mine.put(t, mine.size());
                    inFlight.put(t, new CompletableFuture<>());
                    misses++;
                }
            }
        }
        if (!mine.isEmpty()) {
            List<String> missing = new ArrayList<>(mine.keySet());
            float[][] fresh;
            try {
                fresh = delegate.embed(missing);
            } catch (RuntimeException e) {
                synchronized (this) {
                    missing.forEach(t -> inFlight.remove(t).completeExceptionally(e));
                }
                throw e;
            }
            synchronized (this) {
                for (int k = 0; k < missing.size(); k++) {
                    cache.put(missing.get(k), fresh[k]);
                    inFlight.remove(missing.get(k)).complete(fresh[k]);
                }
            }
            for (int i = 0; i < texts.size(); i++) {
                Integer k = mine.get(texts.get(i));
                if (out[i] == null && k != null) {
                    out[i] = fresh[k];
                }
            }
        }
        for (Map.Entry<Integer, CompletableFuture<float[]>> e : theirs.entrySet()) {
            try {
                out[e.getKey()] = e.getValue().join();
            } catch (CompletionException failed) {
                throw new IllegalStateException("encoder failed for a text another caller was embedding: "
                        + failed.getCause().getMessage(), failed.getCause());
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
}
