package io.groundstate.streams.cli;

import java.io.PrintStream;
import java.util.function.DoubleSupplier;
import java.util.function.IntConsumer;

/**
 * Progress of a long command on stderr: on a terminal a bar redrawn in place with the rate and the ETA;
 * otherwise (a log, CI) a plain line every interval, so a long run still shows it is alive. Counted one
 * at a time ({@link #run}) against a fraction read elsewhere (replay's bytes or offsets), or as "done of
 * total" ({@link #accept}, eval's responses).
 */
final class Progress implements Runnable, IntConsumer {
    private final PrintStream err;
    private final String command;
    private final String what;
    private final DoubleSupplier fraction;
    private final boolean terminal;
    private final long intervalNanos;
    private final long started = System.nanoTime();
    private long lastDraw = started;
    private long count;
    private boolean finished;

    Progress(PrintStream err, String command, String what, DoubleSupplier fraction, boolean terminal,
             long intervalMillis) {
        this.err = err;
        this.command = command;
        this.what = what;
        this.fraction = fraction;
        this.terminal = terminal;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /** Replay: counted one by one, the fraction from the archive. */
    static Progress forStderr(String command, String what, DoubleSupplier fraction) {
        boolean terminal = Boolean.getBoolean("groundstate.stderr.tty");
        return new Progress(System.err, command, what, fraction, terminal, terminal ? 200 : 10_000);
    }

    /** Eval and calibrate: {@link #accept} says how many of {@code total} are done; it finishes at total. */
    static Progress forStderr(String command, String what, int total) {
        Progress[] self = new Progress[1];
        self[0] = forStderr(command, what, () -> (double) self[0].count / Math.max(1, total));
        return self[0];
    }

    /** One more done. */
    @Override
    public void run() {
        count++;
        maybeDraw(false);
    }

    /** {@code done} of the total are done. */
    @Override
    public void accept(int done) {
        count = done;
        maybeDraw(fraction.getAsDouble() >= 1);
    }

    private void maybeDraw(boolean last) {
        if (last) {
            finish();
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw >= intervalNanos) {
            lastDraw = now;
            draw(now, false);
        }
    }

    void finish() {
        if (!finished) {
            finished = true;
            draw(System.nanoTime(), true);
        }
    }

    private void draw(long now, boolean done) {
        double secs = Math.max(1e-9, (now - started) / 1e9);
        double f = done ? 1 : fraction.getAsDouble();
        double rate = count / secs;
        String eta = Double.isNaN(f) || f <= 0 ? "?" : done ? "0" : Long.toString(Math.round(secs * (1 - f) / f));
        if (terminal) {
            int width = 30;
            int filled = Double.isNaN(f) ? 0 : (int) Math.round(width * Math.min(1, f));
            err.printf("\r[%s] %3.0f%%  %d %s  %.1f %s/s  ETA %ss ", "#".repeat(filled) + "-".repeat(width - filled),
                    Double.isNaN(f) ? 0 : 100 * f, count, what, rate, what, eta);
            if (done) {
                err.println();
            }
        } else {
            err.printf("%s: %.0f%% done, %d %s, %.1f %s/s, ETA %ss%n", command, Double.isNaN(f) ? 0 : 100 * f, count,
                    what, rate, what, eta);
        }
        err.flush();
    }
}
