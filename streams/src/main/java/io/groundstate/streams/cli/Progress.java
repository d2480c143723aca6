package io.groundstate.streams.cli;

import java.io.PrintStream;
import java.util.function.IntConsumer;

/** A progress line on a terminal (rate and ETA); silent when stderr is not one. */
final class Progress implements IntConsumer {
    private final PrintStream err;
    private final int total;
    private final String what;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastDraw;

    Progress(PrintStream err, int total, String what) {
        this.err = err;
        this.total = total;
        this.what = what;
        this.terminal = Boolean.getBoolean("groundstate.stderr.tty");
    }

    @Override
    public void accept(int done) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        double secs = (now - started) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        int width = 30;
        int filled = (int) ((long) width * done / Math.max(1, total));
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        err.printf("\r[%s] %d/%d %s  %.1f/s  ETA %ds ", bar, done, total, what, rate,
                (int) ((total - done) / Math.max(rate, 1e-9)));
        if (done >= total) {
            err.println();
        }
        err.flush();
    }
}
