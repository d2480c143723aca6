package io.groundstate.streams.replay;

import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import io.groundstate.schemas.SchemaException;
import io.groundstate.streams.topology.DeadLetters;
import io.groundstate.streams.topology.EventMapping;
import io.groundstate.streams.topology.MonitorStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Function;

/**
 * Replays archived events through the per-request monitor, in event time, and hands everything it emits to a
 * {@link Sink} in input order.
 *
 * <p>The same monitor as the streaming topology, driven the same way: one state per request, events in
 * their archived order, a request that stops sending ended with {@code idle_timeout} once the log's clock
 * (the largest event time read so far) has moved {@code idleTimeoutMs} past where it stood at the request's
 * last event (streaming uses the wall clock for that), and a finished request forgotten {@code retentionMs}
 * after its end. An output's emit time is the event time of
 * the event that caused it, so a replay is a pure function of its input.
 *
 * <p>Requests are spread over worker threads by request id, so while one waits for the encoder the others
 * queue theirs and the encoder runs them as one batch. Outputs are put back into input order before the
 * sink sees them; with an encoder whose vectors do not depend on their batch, the output is the same for
 * any number of workers.
 */
public final class Replayer {
    private static final int WINDOW = 8192;

    /** Receives, on one thread and in input order, what the replay produced. */
    public interface Sink {
        /** @param code the reason's fixed code, as the streaming dead letters carry it (DeadLetters) */
        void deadLetter(ArchivedRecord record, String stage, String code, String reason) throws IOException;

        /** @param finished the request's text and context, with its verdict; null for other outputs */
        void output(MonitorOutput output, FinishedRequest finished) throws IOException;
    }

    /** What a report needs of a finished request besides its outputs. */
    public record FinishedRequest(String requestId, String app, String model, String prompt, String response,
                                  Map<String, String> chunks) {
    }

    public record Settings(int workers, long idleTimeoutMs, long retentionMs, int maxRecordBytes) {
        /** With the streaming default record limit (groundstate.input.max.record.bytes). */
        public Settings(int workers, long idleTimeoutMs, long retentionMs) {
            this(workers, idleTimeoutMs, retentionMs, EventMapping.DEFAULT_MAX_RECORD_BYTES);
        }

        public Settings {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1");
            }
            if (idleTimeoutMs < 1 || retentionMs < 0) {
                throw new IllegalArgumentException("the idle timeout must be positive and the retention not negative");
            }
        }
    }

    public record Counts(long records, long events, long deadLetters, long requests) {
    }

    private final Settings settings;
    private final Function<LongSupplier, RequestMonitor> monitors;

    /** @param monitors makes one monitor per worker around the emit clock it is given */
    public Replayer(Settings settings, Function<LongSupplier, RequestMonitor> monitors) {
        this.settings = settings;
        this.monitors = monitors;
    }

    private enum Op { EVENT, EXPIRE, FORGET, STOP }

    private record Task(long seq, Op op, String requestId, MonitorEvent event, ArchivedRecord raw, long time) {
    }

    /** One sequence number's result: outputs, or a dead letter. */
    private record Result(List<MonitorOutput> outputs, FinishedRequest finished, ArchivedRecord dead, String stage,
                          String code, String reason) {
        static final Result NOTHING = new Result(List.of(), null, null, null, null, null);
    }

    public Counts run(EventArchive archive, Sink sink, Runnable onRecord) throws IOException, InterruptedException {
        Sequencer sequencer = new Sequencer();
        Semaphore window = new Semaphore(WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable abort = () -> {
            sequencer.fail();
            window.release(WINDOW); // nobody may wait on a thread that has stopped
        };
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < settings.workers(); i++) {
            Worker w = new Worker(i, sequencer, failure, abort);
            workers.add(w);
            w.thread.start();
        }
        long[] deadLetters = {0};
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    Result r = sequencer.take();
                    if (r == null) {
                        return;
                    }
                    if (r.dead != null) {
                        deadLetters[0]++;
                        sink.deadLetter(r.dead, r.stage, r.code, r.reason);
                    } else {
                        for (MonitorOutput o : r.outputs) {
                            sink.output(o, o instanceof MonitorOutput.Verdict ? r.finished : null);
                        }
                    }
                    window.release();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                abort.run();
            }
        }, "replay-writer");
        writer.start();

        long seq = 0;
        long records = 0;
        long events = 0;
        long requests = 0;
        long watermark = Long.MIN_VALUE;
        Map<String, Long> lastSeen = new HashMap<>();            // unfinished requests: the log clock at their last event
        TreeSet<Due> idle = new TreeSet<>();                      // their idle deadlines (stale ones skipped)
        TreeSet<Due> retention = new TreeSet<>();                 // finished requests: when to forget them
        Set<String> finished = new HashSet<>();               // ended, kept until forgotten
        try {
            ArchivedRecord rec;
            while (failure.get() == null && (rec = archive.next()) != null) {
                records++;
                onRecord.run();
                MonitorEvent event;
                String reason = null;
                String code = null;
                String stage = DeadLetters.STAGE_DECODE;
                if (rec.error() != null) {
                    reason = rec.error();
                    code = DeadLetters.UNREADABLE;
                    stage = DeadLetters.STAGE_READ;
                    event = null;
                } else {
                    try {
                        event = EventMapping.parse(rec.value(), settings.maxRecordBytes()).monitorEvent();
                    } catch (SchemaException e) {
                        reason = e.getMessage();
                        code = e.reason().code();
                        event = null;
                    }
                }
                if (event == null) {
                    window.acquire();
                    sequencer.complete(seq++, new Result(List.of(), null, rec, stage, code, reason));
                    continue;
                }
                events++;
                String id = event.requestId();
                if (!lastSeen.containsKey(id) && !finished.contains(id)) {
                    requests++;
                }
                watermark = Math.max(watermark, event.eventTime());
                seq = expire(watermark, false, seq, lastSeen, idle, retention, finished, workers, window);
                window.acquire();
                dispatch(workers, new Task(seq++, Op.EVENT, id, event, rec, event.eventTime()));
                if (finished.contains(id)) {
                    continue; // a late event: the monitor counts it and changes nothing
                }
                // A request's clock is the log's clock when it was last active, as the topology's is the wall
                // clock: a request archived out of time order (an older file after a newer one) is not ended
                // between its own events.
                if (event instanceof MonitorEvent.RequestFinished) {
                    lastSeen.remove(id);
                    finished.add(id);
                    retention.add(new Due(watermark + settings.retentionMs(), id));
                } else {
                    lastSeen.put(id, watermark);
                    idle.add(new Due(watermark + settings.idleTimeoutMs(), id));
                }
            }
            if (failure.get() == null) {
                seq = expire(Long.MAX_VALUE, true, seq, lastSeen, idle, retention, finished, workers, window);
            }
        } finally {
            for (Worker w : workers) {
                w.queue.put(new Task(-1, Op.STOP, null, null, null, 0));
            }
            for (Worker w : workers) {
                w.thread.join();
            }
            sequencer.end(failure.get() == null ? seq : -1);
            writer.join();
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw io;
        } else if (t instanceof RuntimeException re) {
            throw re;
        } else if (t instanceof Error err) {
            throw err;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
        return new Counts(records, events, deadLetters[0], requests);
    }

    private record Due(long time, String requestId) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            return time != o.time ? Long.compare(time, o.time) : requestId.compareTo(o.requestId);
        }
    }

    /** Ends requests idle for the timeout, in deadline order; at the end of the archive, all of them. */
    private long expire(long watermark, boolean all, long seq, Map<String, Long> lastSeen, TreeSet<Due> idle,
                        TreeSet<Due> retention, Set<String> finished, List<Worker> workers, Semaphore window)
            throws InterruptedException {
        while (!retention.isEmpty() && !all && retention.first().time() <= watermark) {
            Due d = retention.pollFirst();
            finished.remove(d.requestId());
            window.acquire();
            dispatch(workers, new Task(seq++, Op.FORGET, d.requestId(), null, null, d.time()));
        }
        while (!idle.isEmpty() && (all || idle.first().time() <= watermark)) {
            Due d = idle.pollFirst();
            Long last = lastSeen.get(d.requestId());
            if (last == null || last + settings.idleTimeoutMs() != d.time()) {
                continue; // the request sent something since, or finished
            }
            lastSeen.remove(d.requestId());
            finished.add(d.requestId());
            if (!all) {
                retention.add(new Due(d.time() + settings.retentionMs(), d.requestId()));
            }
            window.acquire();
            dispatch(workers, new Task(seq++, Op.EXPIRE, d.requestId(), null, null, d.time()));
        }
        return seq;
    }

    private static void dispatch(List<Worker> workers, Task t) throws InterruptedException {
        workers.get(Math.floorMod(t.requestId().hashCode(), workers.size())).queue.put(t);
    }

    /** Owns the states of its share of the requests, and one monitor whose emit clock is the task's time. */
    private final class Worker implements Runnable {
        final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(WINDOW + 1);
        final Thread thread;
        final Sequencer sequencer;
        final AtomicReference<Throwable> failure;
        final Runnable abort;
        final Map<String, RequestState> states = new LinkedHashMap<>();
        long clock;
        final RequestMonitor monitor;

        Worker(int index, Sequencer sequencer, AtomicReference<Throwable> failure, Runnable abort) {
            this.sequencer = sequencer;
            this.failure = failure;
            this.abort = abort;
            this.monitor = monitors.apply(() -> clock);
            this.thread = new Thread(this, "replay-worker-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Task t = queue.take();
                    if (t.op() == Op.STOP) {
                        return;
                    }
                    sequencer.complete(t.seq(), apply(t));
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                abort.run();
            }
        }

        private Result apply(Task t) {
            clock = t.time();
            if (t.op() == Op.FORGET) {
                states.remove(t.requestId());
                return Result.NOTHING;
            }
            RequestState state = states.computeIfAbsent(t.requestId(), k -> new RequestState());
            List<MonitorOutput> out;
            if (t.op() == Op.EXPIRE) {
                out = MonitorStep.expireIdle(monitor, state); // kept, finished, until forgotten, as streaming does
            } else {
                MonitorStep.Outcome o = MonitorStep.apply(monitor, state, t.event());
                if (o.refused()) {
                    return new Result(List.of(), null, t.raw(), DeadLetters.STAGE_MONITOR, o.refusal().code(),
                            o.refusal().reason());
                }
                out = o.outputs();
            }
            FinishedRequest finished = null;
            if (out.stream().anyMatch(o -> o instanceof MonitorOutput.Verdict)) {
                Map<String, String> chunks = new LinkedHashMap<>();
                state.chunks.forEach(c -> chunks.put(c.chunkId, c.text));
                finished = new FinishedRequest(state.requestId, state.app, state.model, state.prompt, state.response,
                        chunks);
            }
            return new Result(out, finished, null, null, null, null);
        }
    }

    /** Hands results to the writer in sequence order, whatever order the workers finish them in. */
    private static final class Sequencer {
        private final Map<Long, Result> done = new HashMap<>();
        private long next;
        private long end = Long.MAX_VALUE;
        private boolean failed;

        synchronized void complete(long seq, Result r) {
            done.put(seq, r);
            if (seq == next) {
                notifyAll();
            }
        }

        synchronized void end(long total) {
            if (total < 0) {
                failed = true;
            } else {
                end = total;
            }
            notifyAll();
        }

        synchronized void fail() {
            failed = true;
            notifyAll();
        }

        /** The next result, or null when all are taken or the replay failed. */
        synchronized Result take() throws InterruptedException {
            while (!failed && next < end && !done.containsKey(next)) {
                wait();
            }
            if (failed || next >= end) {
                return null;
            }
            return done.remove(next++);
        }
    }
}
