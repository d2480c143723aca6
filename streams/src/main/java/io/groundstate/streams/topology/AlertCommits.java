package io.groundstate.streams.topology;

import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Decides when an alert asks Kafka Streams for a commit, so that read_committed consumers see it without waiting
 * for {@code commit.interval.ms}, while the commits alerts ask for take about a tenth of the stream thread at most.
 * One per monitor task. Under exactly-once a commit covers all of the stream thread's tasks, and every task with
 * an alert waiting has processed since the last commit, so its store is flushed by that commit and its pacing
 * sees it: the pacing holds for the thread, without the tasks sharing anything.
 *
 * <p>Why the pacing: a commit per alert halved the topology's throughput under a flood (a commit serialises every
 * request changed since the last one). An alert that comes too soon after a commit is asked for again by a later
 * event, or rides on the interval's commit.
 */
final class AlertCommits {
    /** Commits asked for by alerts are at least this far apart, however cheap a commit is. */
    static final long MIN_GAP_NANOS = 20_000_000;
    /** And at least this many mean commit times apart: commits then take about 10% of the thread. */
    static final double GAP_PER_COMMIT_TIME = 9;

    private final LongSupplier nanoClock;
    private boolean everCommitted;
    private long lastCommitNanos;
    private boolean alertUncommitted;

    AlertCommits(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** A commit begins (stores are flushed first): everything emitted so far goes with it. */
    void committing() {
        everCommitted = true;
        lastCommitNanos = nanoClock.getAsLong();
        alertUncommitted = false;
    }

    void alerted() {
        alertUncommitted = true;
    }

    /**
     * Whether to ask for a commit now; if so, later alerts wait for that one.
     *
     * @param meanCommitMs the thread's mean commit time lately (NaN when unknown), read only when an alert waits
     */
    boolean askNow(DoubleSupplier meanCommitMs) {
        if (!alertUncommitted) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (everCommitted) {
            long since = now - lastCommitNanos;
            if (since < MIN_GAP_NANOS) {
                return false;
            }
            double mean = meanCommitMs.getAsDouble();
            if (!Double.isNaN(mean) && since < GAP_PER_COMMIT_TIME * mean * 1e6) {
                return false;
            }
        }
        // The commit covers every alert emitted before it, so none waits now; the commit itself resets the gap.
        alertUncommitted = false;
        everCommitted = true;
        lastCommitNanos = now;
        return true;
    }
}
