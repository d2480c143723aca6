package io.groundstate.streams.cli;

import java.io.PrintStream;
import java.util.function.DoubleSupplier;

/**
 * Replay progress: on a terminal a bar redrawn in place with records per second and the ETA; otherwise
 * (a log, CI) a plain line every interval, so a long replay still shows it is alive.
 */
final class ReplayProgress implements Runnable {
    private final PrintStream err;
    private final DoubleSupplier fraction;
    private final boolean terminal;
    private final long intervalNanos;
    private final long started = System.nanoTime();
    private long lastDraw = started;
    private long records;

    ReplayProgress(PrintStream err, DoubleSupplier fraction, boolean terminal, long intervalMillis) {
        this.err = err;
        this.fraction = fraction;
        this.terminal = terminal;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    static ReplayProgress forStderr(DoubleSupplier fraction) {
        boolean terminal = Boolean.getBoolean("groundstate.stderr.tty");
        return new ReplayProgress(System.err, fraction, terminal, terminal ? 200 : 10_000);
    }

    /** One more record read. */
    @Override
    public void run() {
        records++;
        if ((records & 63) != 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw >= intervalNanos) {
            lastDraw = now;
            draw(now, false);
        }
    }

    void finish() {
        draw(System.nanoTime(), true);
    }

    private void draw(long now, boolean done) {
        double secs = Math.max(1e-9, (now - started) / 1e9);
        double f = done ? 1 : fraction.getAsDouble();
        double rate = records / secs;
        String eta = Double.isNaN(f) || f <= 0 ? "?" : done ? "0" : Long.toString(Math.round(secs * (1 - f) / f));
        if (terminal) {
            int width = 30;
            int filled = Double.isNaN(f) ? 0 : (int) Math.round(width * Math.min(1, f));
            err.printf("\r[%s] %3.0f%%  %d events  %.0f events/s  ETA %ss ", "#".repeat(filled) + "-".repeat(width - filled),
                    Double.isNaN(f) ? 0 : 100 * f, records, rate, eta);
            if (done) {
                err.println();
            }
        } else {
            err.printf("replay: %.0f%% read, %d events, %.0f events/s, ETA %ss%n", Double.isNaN(f) ? 0 : 100 * f,
                    records, rate, eta);
        }
        err.flush();
    }
}
