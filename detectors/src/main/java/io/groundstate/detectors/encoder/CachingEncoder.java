package io.groundstate.detectors.encoder;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Remembers recent embeddings by text. Context passages recur across requests and perturbed sentences recur
 * across re-scoring, so a bounded cache saves most encoder calls. Caffeine's asynchronous cache holds them: a text
 * that another caller is embedding at that moment is waited for, not embedded twice (concurrent requests for the
 * same source would otherwise each embed its whole context), and no lock is held while the model runs, so callers
 * on other threads are served from the cache, or batched together by a {@link CoalescingEncoder} behind this one.
 * The missing texts of a call are embedded on the caller's thread, in the order they were asked for.
 */
public final class CachingEncoder extends ForwardingEncoder {
    /** Lookups served from the cache (or from another caller's run in progress), texts embedded, texts evicted. */
    public record Counts(long hits, long misses, long evictions) {
    }

    private final AsyncCache<String, float[]> cache;

    public CachingEncoder(Encoder delegate, int capacity) {
        super(delegate);
        // The caller's thread for Caffeine's own work too (completions, eviction): no pool to size or to shut down.
        this.cache = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).recordStats().buildAsync();
    }

    @Override
    public float[][] embed(List<String> texts) {
        Set<String> distinct = new LinkedHashSet<>(texts);
        Map<String, float[]> got;
        try {
            got = cache.getAll(distinct, (missing, executor) -> {
                List<String> ordered = new ArrayList<>(missing.size());
                for (String t : distinct) {
                    if (missing.contains(t)) {
                        ordered.add(t);
                    }
                }
                try {
                    float[][] fresh = delegate.embed(ordered);
                    Map<String, float[]> m = new HashMap<>();
                    for (int k = 0; k < ordered.size(); k++) {
                        m.put(ordered.get(k), fresh[k]);
                    }
                    return CompletableFuture.completedFuture(m);
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e); // not cached: the next caller tries again
                }
            }).join();
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException("encoder failed: " + cause, cause);
        }
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = got.get(texts.get(i));
        }
        return out;
    }

    public Counts counts() {
        cache.synchronous().cleanUp(); // evictions pending in Caffeine's buffers are counted now, not later
        CacheStats s = cache.synchronous().stats();
        return new Counts(s.hitCount(), s.missCount(), s.evictionCount());
    }

    public long hits() {
        return counts().hits();
    }

    public long misses() {
        return counts().misses();
    }
}
