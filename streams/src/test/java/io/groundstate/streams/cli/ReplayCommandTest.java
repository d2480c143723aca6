package io.groundstate.streams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.groundstate.streams.TestProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** simulate and replay as a user runs them, and the report as a browser renders it. */
class ReplayCommandTest {
    static final Path SAMPLE = Path.of("src/test/resources/labeled-sample.jsonl");

    @Test
    void simulateThenReplayWritesAlertsVerdictsAndAReport(@TempDir Path dir) throws Exception {
        Path events = dir.resolve("events.jsonl.gz");
        CommandLineTest.Run sim = CommandLineTest.run("", "simulate", "--data", SAMPLE.toString(), "--out", events.toString());
        assertEquals(0, sim.code(), sim.err());
        Path alerts = dir.resolve("alerts.jsonl");
        Path verdicts = dir.resolve("verdicts.jsonl");
        Path report = dir.resolve("report.html");
        // every kind, so that the sample's six answers draw some (by default only ungrounded spans are published)
        CommandLineTest.Run r = CommandLineTest.run("", "replay", "--input", events.toString(), "--alerts",
                alerts.toString(), "--verdicts", verdicts.toString(), "--report", report.toString(),
                "--alert-kinds", "UNGROUNDED_SPAN,FRAGILE_STATE,DRIFT");
        assertEquals(0, r.code(), r.err());
        assertEquals(6, Files.readAllLines(verdicts).size());
        assertTrue(Files.readAllLines(alerts).size() > 0, "the sample's hallucinated answers draw alerts");
        assertTrue(r.err().contains("replay: "), r.err());
        String html = Files.readString(report);
        assertTrue(html.contains("<svg"), "a chart per reported request");
        assertTrue(html.contains("class=\"sentence flagged\""), "the flagged sentence is highlighted");
        assertTrue(html.contains("<mark class=\"span\">"), "its localised unsupported phrase is marked");
        assertTrue(html.contains("title=\"sentence 1 · P(unsupported)"), "scores on hover");
        assertTrue(html.contains("<details><summary>c0"), "the nearest context passage");
        assertFalse(Pattern.compile("(?i)(src|href)\\s*=\\s*\"(https?:)?//").matcher(html).find(),
                "no external assets");
        assertFalse(html.contains("<script"), "no script");

        // Byte-identical on a second run.
        Path again = dir.resolve("again.jsonl");
        assertEquals(0, CommandLineTest.run("", "replay", "--input", events.toString(), "--alerts", again.toString(),
                "--workers", "1").code());
        assertEquals(Files.readString(alerts), Files.readString(again));
    }

    @Test
    void unusableArgumentsExitWithTwoAndUnreadableFilesWithOne(@TempDir Path dir) throws Exception {
        String alerts = dir.resolve("a.jsonl").toString();
        CommandLineTest.Run none = CommandLineTest.run("", "replay", "--alerts", alerts);
        assertEquals(2, none.code());
        CommandLineTest.Run both = CommandLineTest.run("", "replay", "--input", SAMPLE.toString(), "--from-topic", "t",
                "--alerts", alerts);
        assertEquals(2, both.code(), both.err());
        CommandLineTest.Run missing = CommandLineTest.run("", "replay", "--input", dir.resolve("nope.jsonl").toString(),
                "--alerts", alerts);
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        CommandLineTest.Run glob = CommandLineTest.run("", "replay", "--input", dir + "/*.avro", "--alerts", alerts);
        assertEquals(2, glob.code());
        assertTrue(glob.err().contains("no file matches"), glob.err());
        CommandLineTest.Run self = CommandLineTest.run("", "replay", "--input", SAMPLE.toString(), "--alerts",
                SAMPLE.toString());
        assertEquals(2, self.code());

        // Garbage lines are dead letters, not failures; a file cut short is a failure, after what it held is replayed.
        Path events = dir.resolve("events.jsonl");
        assertEquals(0, CommandLineTest.run("", "simulate", "--data", SAMPLE.toString(), "--out", events.toString()).code());
        List<String> lines = new ArrayList<>(Files.readAllLines(events));
        lines.add(2, "garbage");
        Files.write(events, lines);
        Path dead = dir.resolve("dead.jsonl");
        CommandLineTest.Run ok = CommandLineTest.run("", "replay", "--input", events.toString(), "--alerts", alerts,
                "--dead-letters", dead.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.readString(dead).contains("\"line\":3"), Files.readString(dead));
        Path gz = dir.resolve("cut.jsonl.gz");
        Path whole = dir.resolve("whole.jsonl.gz");
        CommandLineTest.run("", "simulate", "--data", SAMPLE.toString(), "--out", whole.toString());
        byte[] b = Files.readAllBytes(whole);
        Files.write(gz, java.util.Arrays.copyOf(b, b.length / 2));
        CommandLineTest.Run cut = CommandLineTest.run("", "replay", "--input", gz.toString(), "--alerts", alerts);
        assertEquals(1, cut.code(), cut.err());
        assertTrue(cut.err().contains("could not be read to the end"), cut.err());
    }

    /** Renders the report in Debian's headless Chromium: no console message at all, and a screenshot to look at. */
    @Test
    void theReportRendersInChromiumWithoutConsoleErrors(@TempDir Path dir) throws Exception {
        Path chromium = TestProcesses.debianTool("chromium", "chromium");
        Path events = dir.resolve("events.jsonl");
        assertEquals(0, CommandLineTest.run("", "simulate", "--data", SAMPLE.toString(), "--out", events.toString()).code());
        Path report = dir.resolve("report.html");
        assertEquals(0, CommandLineTest.run("", "replay", "--input", events.toString(), "--alerts",
                dir.resolve("a.jsonl").toString(), "--report", report.toString()).code());

        // The check must be able to fail: a page with a console error is caught.
        Path control = dir.resolve("control.html");
        Files.writeString(control, "<!DOCTYPE html><html><body><script>console.error('deliberate')</script></body></html>");
        assertTrue(render(chromium, control, dir.resolve("control.png")).contains("deliberate"));

        Path shot = Path.of("target", "report-screenshot.png");
        Files.deleteIfExists(shot);
        String log = render(chromium, report, shot);
        List<String> console = log.lines().filter(l -> l.contains(":CONSOLE")).toList();
        assertEquals(List.of(), console, "console messages while rendering the report");
        assertTrue(Files.size(shot) > 10_000, "a screenshot of a rendered page, not a blank one");
    }

    static String render(Path chromium, Path page, Path screenshot) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        ProcessBuilder pb = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--user-data-dir=" + profile,
                "--enable-logging=stderr", "--v=0", "--window-size=1280,2400",
                "--screenshot=" + screenshot.toAbsolutePath(), page.toUri().toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
