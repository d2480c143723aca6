package io.groundstate.streams.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

    static String drive(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        double[] fraction = {0};
        Progress p = new Progress(err, "replay", "events", () -> fraction[0], terminal, 0);
        for (int i = 1; i <= 256; i++) {
            fraction[0] = i / 512.0;
            p.run();
        }
        p.finish();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTerminalGetsABarRedrawnInPlaceWithRateAndEta() {
        String out = drive(true);
        assertTrue(out.contains("\r["), out);
        assertTrue(out.contains("events/s"), out);
        assertTrue(out.contains("ETA"), out);
        assertTrue(out.contains(" 50%"), "half the archive read: " + out);
    }

    @Test
    void aLogGetsPlainLines() {
        String out = drive(false);
        assertFalse(out.contains("\r"), out);
        assertTrue(out.lines().allMatch(l -> l.startsWith("replay: ")), out);
        assertTrue(out.lines().count() >= 2, out);
    }

    @Test
    void doneOfTotalFinishesAtTheTotal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int[] done = {0};
        Progress p = new Progress(err, "eval", "responses", () -> done[0] / 4.0, true, 1_000_000);
        for (int i = 1; i <= 4; i++) {
            done[0] = i;
            p.accept(i);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("100%") && out.contains("4 responses") && out.endsWith("\n"), out);
    }
}
