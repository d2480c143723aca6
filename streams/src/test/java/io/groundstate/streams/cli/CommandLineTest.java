package io.groundstate.streams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, help, and the machine-readable outputs, with the real encoder. */
class CommandLineTest {
    static final Path SAMPLE = Path.of("src/test/resources/labeled-sample.jsonl");

    record Run(int code, String out, String err) {
    }

    static synchronized Run run(String stdin, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        InputStream in = System.in;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = GroundstateCommand.execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
            System.setIn(in);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("demo", "run", "replay", "simulate", "config-docs", "score", "eval", "calibrate")) {
            Run r = run("", cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: groundstate " + cmd), r.out());
        }
        assertEquals(0, run("", "--help").code());
    }

    @Test
    void unusableArgumentsExitWithTwoAndSayWhy() {
        Run missing = run("", "eval");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("Missing required option: '--data=<data>'"), missing.err());
        assertEquals(2, run("", "frobnicate").code());
        Run device = run("", "eval", "--data", SAMPLE.toString(), "--device", "tpu");
        assertEquals(2, device.code());
        assertTrue(device.err().contains("device must be auto, cpu, cuda or cuda:N"), device.err());
        Run cv = run("", "eval", "--data", SAMPLE.toString(), "--cv", "1");
        assertEquals(2, cv.code());
        Run mode = run("", "eval", "--data", SAMPLE.toString(), "--perturbation", "shake");
        assertEquals(2, mode.code());
        assertTrue(mode.err().contains("--perturbation must be occlusion or reembed"), mode.err());
    }

    @Test
    void unreadableOrMalformedDataExitsWithOne(@TempDir Path dir) throws Exception {
        Run none = run("", "eval", "--data", dir.resolve("nope.jsonl").toString());
        assertEquals(1, none.code());
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, Files.readAllLines(SAMPLE).get(0) + "\n{\"id\": \"x\", \"response\": \n");
        Run r = run("", "eval", "--data", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.jsonl:2: not a labeled record"), r.err());
    }

    @Test
    void evalJsonIsExactlyOneObjectWithFractions() throws Exception {
        Run r = run("", "eval", "--data", SAMPLE.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = ReportJson.JSON.readTree(r.out());
        assertEquals(1, r.out().strip().lines().count(), "one line, one object");
        assertEquals(6, j.get("responses").asInt());
        for (String level : List.of("response_level", "span_level")) {
            for (String m : List.of("precision", "recall", "f1")) {
                double v = j.get(level).get(m).asDouble();
                assertTrue(v >= 0 && v <= 1, level + "." + m + "=" + v);
            }
        }
        double auroc = j.get("response_level").get("auroc").asDouble();
        assertTrue(auroc >= 0 && auroc <= 1);
        assertEquals(List.of("Data2txt", "QA", "Summary"), iterate(j.get("by_task")));
        assertEquals(2, j.get("by_task").get("QA").get("responses").asInt());
    }

    static List<String> iterate(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void scoreJsonFlagsTheSwappedYearAndNamesIt() throws Exception {
        String in = "{\"question\":\"When was the Eiffel Tower completed?\",\"context\":[\"The Eiffel Tower in Paris "
                + "was completed in 1889. It is 330 metres tall.\"],\"response\":\"The Eiffel Tower is in Paris. It was "
                + "completed in 1925 by Gustave Eiffel. It is 330 metres tall.\"}";
        Run r = run(in, "score", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = ReportJson.JSON.readTree(r.out());
        assertEquals(3, j.get("sentences").size());
        JsonNode worst = j.get("sentences").get(1);
        List<String> tokens = new java.util.ArrayList<>();
        worst.get("attributed_tokens").forEach(t -> tokens.add(t.get("token").asText()));
        assertTrue(tokens.contains("1925"), tokens.toString());
        double pWorst = worst.get("probability").asDouble();
        assertTrue(pWorst > j.get("sentences").get(0).get("probability").asDouble());
        assertTrue(pWorst > j.get("sentences").get(2).get("probability").asDouble());
        assertTrue(j.has("verdict"));
    }

    /** The README's two examples (issue 28): the contradicted parts flag the answer whatever the task's base rate. */
    static final String EIFFEL = "The Eiffel Tower was completed in 1889 by Gustave Eiffel's company for the World's "
            + "Fair in Paris.";
    static final String ACME = "Acme Corp was founded in 1999 by Jane Smith in Denver. It employs 200 people.";

    static JsonNode score(String context, String response) throws Exception {
        String in = ReportJson.JSON.writeValueAsString(java.util.Map.of("context", context, "response", response));
        Run r = run(in, "score", "--json");
        assertEquals(0, r.code(), r.err());
        return ReportJson.JSON.readTree(r.out());
    }

    static List<String> flaggedTokens(JsonNode j) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode s : j.get("sentences")) {
            if (s.get("flagged").asBoolean()) {
                s.get("attributed_tokens").forEach(t -> out.add(t.get("token").asText()));
            }
        }
        return out;
    }

    @Test
    void scoreFlagsTheReadmeExamplesAndNotTheirFaithfulTwins() throws Exception {
        JsonNode eiffel = score(EIFFEL, "The Eiffel Tower was completed in 1925 by Gustave Eiffel.");
        assertTrue(eiffel.get("verdict").get("hallucinated").asBoolean(), eiffel.toString());
        assertTrue(flaggedTokens(eiffel).contains("1925"), eiffel.toString());
        JsonNode acme = score(ACME, "Acme Corp was founded in 1999 by John Smith in Denver. It employs 2,000 people "
                + "and is not profitable.");
        assertTrue(acme.get("verdict").get("hallucinated").asBoolean(), acme.toString());
        assertTrue(flaggedTokens(acme).contains("2,000"), acme.toString());

        for (JsonNode faithful : List.of(score(EIFFEL, "The Eiffel Tower was completed in 1889 by Gustave Eiffel."),
                score(ACME, "Acme Corp was founded in 1999 by Jane Smith in Denver. It employs 200 people."))) {
            assertTrue(!faithful.get("verdict").get("hallucinated").asBoolean(), faithful.toString());
            assertEquals(List.of(), flaggedTokens(faithful), faithful.toString());
        }
    }

    @Test
    void scoreRejectsInputWithoutAResponse() {
        Run r = run("{\"context\": \"x\"}", "score");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("needs a \"response\" string"), r.err());
    }

    @Test
    void calibrateWritesWeightsThatEvalAccepts(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("w.json");
        Run c = run("", "calibrate", "--data", SAMPLE.toString(), "--out", w.toString(), "--cv", "0");
        assertEquals(0, c.code(), c.err());
        JsonNode weights = ReportJson.JSON.readTree(w.toFile());
        assertEquals(io.groundstate.detectors.calib.Features.NAMES.size(), weights.get("sentence").get("features").size());
        Run e = run("", "eval", "--data", SAMPLE.toString(), "--weights", w.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        // Fitted and scored on the same six records: it must at least separate them.
        assertTrue(ReportJson.JSON.readTree(e.out()).get("response_level").get("auroc").asDouble() > 0.5);
    }

    @Test
    void demoStreamsAnswersThroughTheEmbeddedBrokerAndExitsCleanlyAfterItsDuration() throws Exception {
        Path answers = Files.createTempFile("demo-answers", ".jsonl");
        Files.copy(SAMPLE, answers, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run r = run("", "demo", "--for", "12s", "--answers", answers.toString(), "--tokens-per-second", "400",
                "--metrics-address", "127.0.0.1:0", "--no-color");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("VERDICT"), r.out());
        assertTrue(r.out().contains("DEAD LETTER"), "the demo shows a dead letter: " + r.out());
        assertTrue(r.out().contains("Summary"), r.out());
        assertTrue(r.out().matches("(?s).*Metrics at http://127\\.0\\.0\\.1:[1-9][0-9]*/metrics.*"), r.out());
        assertTrue(!r.out().contains("\u001b["), "no colour with --no-color");
    }

    @Test
    void runRejectsABadConfigurationWithExitTwo(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.properties");
        Files.writeString(config, "groundstate.topics.partitions=zero\n");
        Run r = run("", "run", "--config", config.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("groundstate.topics.partitions"), r.err());
        Run d = run("", "demo", "--for", "soon");
        assertEquals(2, d.code());
        assertTrue(d.err().contains("not a duration"), d.err());
    }
}
