package io.groundstate.detectors.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CoalescingEncoderTest {

    /** Each text's vector encodes the text, so a vector handed to the wrong caller is caught. */
    static class SlowEncoder implements Encoder {
        final List<Integer> runSizes = new CopyOnWriteArrayList<>();
        volatile String failOn;

        @Override
        public String id() {
            return "slow/test";
        }

        @Override
        public int dimension() {
            return 1;
        }

        @Override
        public float[][] embed(List<String> texts) {
            runSizes.add(texts.size());
            if (failOn != null && texts.contains(failOn)) {
                throw new IllegalStateException("model failed on " + failOn);
            }
            try {
                Thread.sleep(3); // a run takes time, as a real one does, so callers overlap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new float[] {Float.parseFloat(texts.get(i))};
            }
            return out;
        }
    }

    @Test
    void concurrentCallersGetTheirOwnVectorsFromSharedRuns() throws Exception {
        SlowEncoder slow = new SlowEncoder();
        CoalescingEncoder enc = new CoalescingEncoder(slow, 16);
        int threads = 8;
        int callsEach = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int c = 0; c < callsEach; c++) {
                    List<String> texts = new ArrayList<>();
                    for (int k = 0; k <= c % 5; k++) {
                        texts.add(Integer.toString(thread * 10_000 + c * 10 + k));
                    }
                    float[][] vs = enc.embed(texts);
                    assertEquals(texts.size(), vs.length);
                    for (int k = 0; k < vs.length; k++) {
                        assertEquals(Float.parseFloat(texts.get(k)), vs[k][0], texts.get(k));
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertEquals(threads * callsEach, enc.calls());
        assertTrue(enc.runs() < enc.calls() / 2, "runs " + enc.runs() + " for " + enc.calls() + " calls");
        assertTrue(slow.runSizes.stream().allMatch(n -> n <= 16), "a run took more than maxTexts");
    }

    @Test
    void aFailedRunFailsItsCallersAndTheEncoderStaysUsable() {
        SlowEncoder slow = new SlowEncoder();
        CoalescingEncoder enc = new CoalescingEncoder(slow, 16);
        slow.failOn = "13";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> enc.embed(List.of("12", "13")));
        assertTrue(e.getMessage().contains("13"));
        slow.failOn = null;
        assertEquals(12f, enc.embed(List.of("12"))[0][0]);
        assertEquals(0, enc.embed(List.of()).length);
    }

    @Test
    void aSingleCallerIsNeverHeldBack() {
        SlowEncoder slow = new SlowEncoder();
        CoalescingEncoder enc = new CoalescingEncoder(slow, 4);
        float[][] vs = enc.embed(List.of("1", "2", "3", "4", "5", "6"));
        assertEquals(6, vs.length);
        assertEquals(List.of(6), slow.runSizes, "a caller's own list is never split");
    }
}
