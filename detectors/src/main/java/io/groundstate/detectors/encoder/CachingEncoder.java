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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

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
    private final LongAdder fastHits = new LongAdder();

    public CachingEncoder(Encoder delegate, int capacity) {
        super(delegate);
        // The caller's thread for Caffeine's own work too (completions, eviction): no pool to size or to shut down.
        this.cache = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).recordStats().buildAsync();
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] cached = allCached(texts);
        if (cached != null) {
            return cached;
        }
        if (texts.size() == 1) {
            return new float[][] {one(texts.get(0))};
        }
        Set<String> distinct = new LinkedHashSet<>(texts);
        Map<String, float[]> got = joined(cache.getAll(distinct, (missing, executor) -> loaded(() -> {
            List<String> ordered = new ArrayList<>(missing.size());
            for (String t : distinct) {
                if (missing.contains(t)) {
                    ordered.add(t);
                }
            }
            float[][] fresh = delegate.embed(ordered);
            Map<String, float[]> m = new HashMap<>();
            for (int k = 0; k < ordered.size(); k++) {
                m.put(ordered.get(k), fresh[k]);
            }
            return m;
        })));
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = got.get(texts.get(i));
        }
        return out;
    }

    /** A single text, the commonest call (a sentence, a word): without the bulk load's bookkeeping. */
    private float[] one(String text) {
        return joined(cache.get(text, (t, executor) -> loaded(() -> delegate.embed(List.of(t))[0])));
    }

    /** The model's run as a completed future, or a failed one, which Caffeine does not cache: the next caller retries. */
    private static <T> CompletableFuture<T> loaded(Supplier<T> run) {
        try {
            return CompletableFuture.completedFuture(run.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The value, or the model's own exception (also for callers who waited on another caller's run). */
    private static <T> T joined(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException("encoder failed: " + cause, cause);
        }
    }

    /**
     * Every text's vector when all are cached and done, else null. Most calls are all hits (a context's texts
     * recur through a request); this path skips the bulk load's bookkeeping, which cost a few percent of the
     * monitor's time with the real encoder (bench monitor).
     */
    private float[][] allCached(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            // The map view records no statistics: the full path counts this call's lookups if it has to run.
            CompletableFuture<float[]> f = cache.asMap().get(texts.get(i));
            if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
                return null;
            }
            out[i] = f.join();
        }
        fastHits.add(texts.size() <= 1 ? texts.size() : new LinkedHashSet<>(texts).size()); // each distinct text once, as the full path counts
        return out;
    }

    public Counts counts() {
        cache.synchronous().cleanUp(); // evictions pending in Caffeine's buffers are counted now, not later
        CacheStats s = cache.synchronous().stats();
        return new Counts(s.hitCount() + fastHits.sum(), s.missCount(), s.evictionCount());
    }

    public long hits() {
        return counts().hits();
    }

    public long misses() {
        return counts().misses();
    }
}
