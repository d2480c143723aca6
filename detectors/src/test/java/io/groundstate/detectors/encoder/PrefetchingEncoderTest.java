package io.groundstate.detectors.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrefetchingEncoderTest {

    static List<String> numbers(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /** Waits on the backlog and the cache, not on time: the prefetch is done when every text is cached. */
    static void awaitCached(CachingEncoder cache, long texts) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cache.misses() < texts && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(texts, cache.misses(), "texts embedded in the background");
    }

    @Test
    void prefetchedTextsAreEmbeddedInSmallSlicesAndThenServedFromTheCache() throws Exception {
        CoalescingEncoderTest.SlowEncoder model = new CoalescingEncoderTest.SlowEncoder();
        CachingEncoder cache = new CachingEncoder(model, 1000);
        try (PrefetchingEncoder prefetching = new PrefetchingEncoder(cache, 8, 1000)) {
            prefetching.prefetch(() -> numbers(0, 50));
            awaitCached(cache, 50);
            assertTrue(model.runSizes.stream().allMatch(n -> n <= 8), model.runSizes.toString());
            int runs = model.runSizes.size();
            float[][] vs = prefetching.embed(numbers(0, 50));
            for (int i = 0; i < 50; i++) {
                assertEquals(i, vs[i][0]);
            }
            assertEquals(runs, model.runSizes.size(), "a prefetched text is not embedded again");
            assertEquals(50, prefetching.queued());
            assertEquals(0, prefetching.dropped());
        }
    }

    /** A foreground call keeps the background from starting runs beside it; once it returns, the prefetch goes on. */
    @Test
    void thePrefetchWaitsWhileACallerIsEmbedding() throws Exception {
        CountDownLatch inForeground = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CoalescingEncoderTest.SlowEncoder model = new CoalescingEncoderTest.SlowEncoder() {
            @Override
            public float[][] embed(List<String> texts) {
                if (texts.contains("-1")) {
                    inForeground.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.embed(texts);
            }
        };
        CachingEncoder cache = new CachingEncoder(model, 1000);
        try (PrefetchingEncoder prefetching = new PrefetchingEncoder(cache, 2, 100)) {
            Thread caller = new Thread(() -> prefetching.embed(List.of("-1")));
            caller.start();
            assertTrue(inForeground.await(10, TimeUnit.SECONDS));
            prefetching.prefetch(() -> numbers(0, 6));
            Thread.sleep(300); // the worker has had time to start a slice, if it would
            assertEquals(List.of(), model.runSizes, "no background run while the foreground's is in progress");
            release.countDown();
            caller.join(10_000);
            awaitCached(cache, 7);
            assertEquals(List.of(1, 2, 2, 2), model.runSizes);
        }
    }

    @Test
    void aFullBacklogDropsAndCountsInsteadOfGrowing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Encoder blocked = new CoalescingEncoderTest.SlowEncoder() {
            @Override
            public float[][] embed(List<String> texts) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.embed(texts);
            }
        };
        CachingEncoder cache = new CachingEncoder(blocked, 1000);
        try (PrefetchingEncoder prefetching = new PrefetchingEncoder(cache, 4, 10)) {
            prefetching.prefetch(() -> numbers(0, 30));
            long accepted = prefetching.queued();
            // The worker may have taken one slice of 4 before the backlog filled; the rest is bounded at 10.
            assertTrue(accepted >= 10 && accepted <= 14, "queued " + accepted);
            assertEquals(30 - accepted, prefetching.dropped());
            assertTrue(prefetching.backlog() <= 10);
            release.countDown();
            awaitCached(cache, accepted);
        }
    }

    @Test
    void aFailedPrefetchIsCountedAndTheCallerSeesTheErrorItself() throws Exception {
        CoalescingEncoderTest.SlowEncoder model = new CoalescingEncoderTest.SlowEncoder();
        model.failOn = "3";
        CachingEncoder cache = new CachingEncoder(model, 1000);
        try (PrefetchingEncoder prefetching = new PrefetchingEncoder(cache, 8, 100)) {
            prefetching.prefetch(() -> numbers(0, 5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (prefetching.failed() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(5, prefetching.failed());
            assertThrows(IllegalStateException.class, () -> prefetching.embed(List.of("3")));
            model.failOn = null;
            assertEquals(3, prefetching.embed(List.of("3"))[0][0], "nothing failed is cached");
        }
    }

    @Test
    void anEncoderThatDoesNotPrefetchNeverComputesTheTexts() {
        CoalescingEncoderTest.SlowEncoder model = new CoalescingEncoderTest.SlowEncoder();
        new CachingEncoder(model, 10).prefetch(() -> {
            throw new AssertionError("computed");
        });
        assertEquals(List.of(), model.runSizes);
    }
}
