package io.groundstate.detectors.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CachingEncoderTest {

    @Test
    void concurrentCallersEmbedEachTextOnce() throws Exception {
        CoalescingEncoderTest.SlowEncoder slow = new CoalescingEncoderTest.SlowEncoder();
        CachingEncoder cache = new CachingEncoder(slow, 1000);
        List<String> context = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            context.add(Integer.toString(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<float[][]>> got = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            got.add(pool.submit(() -> {
                start.await();
                return cache.embed(context); // six requests for one source, all at once
            }));
        }
        start.countDown();
        for (Future<float[][]> f : got) {
            float[][] vs = f.get();
            for (int i = 0; i < context.size(); i++) {
                assertEquals(i, vs[i][0]);
            }
        }
        pool.shutdown();
        assertEquals(40, slow.runSizes.stream().mapToInt(Integer::intValue).sum(), "each text embedded once");
        assertEquals(40, cache.misses());
    }

    @Test
    void aFailureReachesTheCallersWaitingForTheSameTextsAndIsNotCached() {
        CoalescingEncoderTest.SlowEncoder slow = new CoalescingEncoderTest.SlowEncoder();
        CachingEncoder cache = new CachingEncoder(slow, 1000);
        slow.failOn = "7";
        assertThrows(IllegalStateException.class, () -> cache.embed(List.of("7")));
        slow.failOn = null;
        assertEquals(7f, cache.embed(List.of("7"))[0][0]);
    }

    @Test
    void itKeepsAtMostItsCapacityAndCountsHitsMissesAndEvictions() {
        CoalescingEncoderTest.SlowEncoder slow = new CoalescingEncoderTest.SlowEncoder();
        CachingEncoder cache = new CachingEncoder(slow, 10);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            texts.add(Integer.toString(i));
        }
        float[][] vs = cache.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(i, vs[i][0], "each text its own vector, in order");
        }
        assertEquals(new CachingEncoder.Counts(0, 50, 40), cache.counts());
        cache.embed(List.of("0", "0", "1"));
        CachingEncoder.Counts after = cache.counts();
        // "0" repeated within the call is looked up once: two lookups, each a hit or (evicted) a miss
        assertEquals(2, after.hits() + (after.misses() - 50), after.toString());
    }
}
