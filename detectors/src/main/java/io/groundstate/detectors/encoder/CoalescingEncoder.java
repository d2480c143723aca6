package io.groundstate.detectors.encoder;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves callers on several threads with shared encoder runs: while one run is in progress the
 * others queue, and the next run takes all of them at once. A request's sentence and its few
 * perturbations are a small batch, and a small batch costs nearly as much per call as a large one
 * (measured: MiniLM on 2 cores, 133 sentences/s one at a time, 240/s sixteen at a time), so
 * batching across requests is where the throughput is. Nobody waits for a batch to fill: a caller
 * that finds the encoder idle runs at once.
 *
 * <p>Outputs equal those of the delegate called alone only when the delegate's vectors do not depend
 * on what else is in the batch; {@code OnnxEncoderTest} pins that for the CPU encoder.
 */
public final class CoalescingEncoder extends ForwardingEncoder {
    private final int maxTexts;
    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    private boolean running;
    private long runs;
    private long calls;

    private static final class Call {
        final List<String> texts;
        float[][] result;
        RuntimeException error;
        boolean done;

        Call(List<String> texts) {
            this.texts = texts;
        }
    }

    /** @param maxTexts the most texts one run takes (a caller's own list is never split) */
    public CoalescingEncoder(Encoder delegate, int maxTexts) {
        super(delegate);
        if (maxTexts < 1) {
            throw new IllegalArgumentException("maxTexts must be at least 1");
        }
        this.maxTexts = maxTexts;
    }

    @Override
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        Call me = new Call(texts);
        List<Call> batch;
        synchronized (this) {
            calls++;
            queue.add(me);
            while (running && !me.done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    queue.remove(me);
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the encoder", e);
                }
            }
            if (me.done) {
                return result(me);
            }
            running = true;
        }
        try {
            // Older calls may fill a run before this one's turn: run until this call is served.
            while (true) {
                synchronized (this) {
                    if (me.done) {
                        break;
                    }
                    runs++;
                    batch = take();
                }
                run(batch);
            }
        } finally {
            synchronized (this) {
                running = false;
                notifyAll();
            }
        }
        return result(me);
    }

    /** The queued calls, oldest first, up to maxTexts texts; always at least one. */
    private List<Call> take() {
        List<Call> batch = new ArrayList<>();
        int n = 0;
        while (!queue.isEmpty() && (batch.isEmpty() || n + queue.peek().texts.size() <= maxTexts)) {
            Call c = queue.poll();
            n += c.texts.size();
            batch.add(c);
        }
        return batch;
    }

    private void run(List<Call> batch) {
        List<String> all = new ArrayList<>();
        batch.forEach(c -> all.addAll(c.texts));
        float[][] vs = null;
        RuntimeException error = null;
        try {
            vs = delegate.embed(all);
        } catch (RuntimeException e) {
            error = e;
        }
        synchronized (this) {
            int at = 0;
            for (Call c : batch) {
                if (error != null) {
                    c.error = error;
                } else {
                    c.result = new float[c.texts.size()][];
                    System.arraycopy(vs, at, c.result, 0, c.texts.size());
                    at += c.texts.size();
                }
                c.done = true;
            }
        }
    }

    private static float[][] result(Call c) {
        if (c.error != null) {
            throw c.error;
        }
        return c.result;
    }

    /** Encoder runs so far, and the embed calls they served; their ratio is the batching achieved. */
    public synchronized long runs() {
        return runs;
    }

    public synchronized long calls() {
        return calls;
    }
}
