package io.groundstate.detectors.encoder;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Embeds prefetched texts on a background thread, into the cache of the encoder it wraps, so a request's first
 * sentence does not wait for its whole context (hundreds of basis sentences and up to thousands of context words:
 * hundreds of milliseconds on two cores) and, on a stream thread, neither does every other request behind it.
 *
 * <p>Wrap a {@link CachingEncoder}: the texts are embedded through it, so a caller that asks for one later finds it
 * cached, or waits for the run already embedding it. Texts go in small slices, so a caller queued behind the
 * prefetch in a {@link CoalescingEncoder} waits for one slice at most. The backlog is bounded: prefetching is
 * only a head start, so texts beyond it are dropped (and counted), never queued without limit.
 *
 * <p>It works only while no caller is embedding through it: on a machine with a few cores the background runs
 * would otherwise slow the foreground's own (a sentence being scored) by sharing the cores with them, which is
 * what made prefetching lengthen the latency tail before it yielded. So it fills idle time, and a foreground call
 * waits for one slice at most.
 */
public final class PrefetchingEncoder extends ForwardingEncoder {
    private final int slice;
    private final int maxBacklog;
    private final ArrayDeque<String> backlog = new ArrayDeque<>();
    private final Thread worker;
    private boolean closed;
    private long queued;
    private long dropped;
    private long failed;
    /** Foreground embed calls in progress; the worker starts a slice only when there are none. */
    private int foreground;

    /**
     * @param delegate   the caching encoder to fill
     * @param slice      texts per background call
     * @param maxBacklog texts waiting at most; more are dropped
     */
    public PrefetchingEncoder(Encoder delegate, int slice, int maxBacklog) {
        super(delegate);
        if (slice < 1 || maxBacklog < 1) {
            throw new IllegalArgumentException("slice and maxBacklog must be at least 1");
        }
        this.slice = slice;
        this.maxBacklog = maxBacklog;
        this.worker = new Thread(this::work, "encoder-prefetch");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public float[][] embed(List<String> texts) {
        enterForeground();
        try {
            return delegate.embed(texts);
        } finally {
            leaveForeground();
        }
    }

    @Override
    public float[][] embedWithout(String text, List<int[]> spans) {
        enterForeground();
        try {
            return delegate.embedWithout(text, spans);
        } finally {
            leaveForeground();
        }
    }

    private synchronized void enterForeground() {
        foreground++;
    }

    private synchronized void leaveForeground() {
        if (--foreground == 0) {
            notifyAll();
        }
    }

    @Override
    public void prefetch(Supplier<List<String>> texts) {
        List<String> wanted = texts.get();
        synchronized (this) {
            if (closed) {
                return;
            }
            for (String t : wanted) {
                if (backlog.size() >= maxBacklog) {
                    dropped++;
                } else {
                    backlog.add(t);
                    queued++;
                }
            }
            notifyAll();
        }
    }

    private void work() {
        while (true) {
            List<String> next = new ArrayList<>(slice);
            synchronized (this) {
                while ((backlog.isEmpty() || foreground > 0) && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                while (next.size() < slice && !backlog.isEmpty()) {
                    next.add(backlog.poll());
                }
            }
            try {
                delegate.embed(next);
            } catch (RuntimeException e) {
                // The caller that needs these texts embeds them itself and sees the error there.
                synchronized (this) {
                    failed += next.size();
                }
            }
        }
    }

    /** Texts accepted for prefetching, dropped because the backlog was full, and whose background run failed. */
    public synchronized long queued() {
        return queued;
    }

    public synchronized long dropped() {
        return dropped;
    }

    public synchronized long failed() {
        return failed;
    }

    /** Texts waiting now. */
    public synchronized int backlog() {
        return backlog.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            backlog.clear();
            notifyAll();
        }
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delegate.close();
    }
}
