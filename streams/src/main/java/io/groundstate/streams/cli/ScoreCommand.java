package io.groundstate.streams.cli;

import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.text.Attribution;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.encoder.Encoder;
import io.groundstate.detectors.monitor.MonitorEvent;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.RequestMonitor;
import io.groundstate.detectors.monitor.RequestState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Scores one answer against its context: span scores and flagged spans.",
                "Give --response and --context files, or JSON on stdin:",
                "  {\"question\": \"...\", \"context\": \"...\" or [\"passage\", ...], \"response\": \"...\"}"})
public final class ScoreCommand implements Callable<Integer> {
    @Mixin
    EncoderOptions encoder;

    @Option(names = "--context", description = "A context passage file; repeat for several chunks, in rank order.")
    List<Path> contextFiles;

    @Option(names = "--response", description = "The answer, as a text file.")
    Path responseFile;

    @Option(names = "--question", description = "The user question or prompt.")
    String question;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = "--no-color", description = "No ANSI colours, even on a terminal.")
    boolean noColor;

    @Override
    public Integer call() throws Exception {
        String response;
        List<String> context = new ArrayList<>();
        String q = question;
        if (responseFile != null) {
            response = read(responseFile);
            if (contextFiles == null || contextFiles.isEmpty()) {
                throw new IllegalArgumentException("--response needs at least one --context file");
            }
            for (Path p : contextFiles) {
                context.add(read(p));
            }
        } else {
            JsonNode in;
            try {
                in = ReportJson.JSON.readTree(System.in);
            } catch (IOException e) {
                throw new IllegalArgumentException("stdin is not JSON: " + e.getMessage());
            }
            if (in == null || !in.isObject() || !in.path("response").isTextual()) {
                throw new IllegalArgumentException("stdin JSON needs a \"response\" string (or use --response and --context)");
            }
            response = in.get("response").asText();
            JsonNode c = in.path("context");
            if (c.isTextual()) {
                context.add(c.asText());
            } else if (c.isArray()) {
                c.forEach(x -> context.add(x.asText()));
            } else {
                throw new IllegalArgumentException("stdin JSON needs \"context\": a string or an array of strings");
            }
            if (q == null && in.path("question").isTextual()) {
                q = in.get("question").asText();
            }
        }
        List<MonitorEvent> events = new ArrayList<>();
        String id = "cli";
        events.add(new MonitorEvent.RequestStarted(id, 0, "cli", "unknown", q, Map.of()));
        for (int i = 0; i < context.size(); i++) {
            events.add(new MonitorEvent.ContextChunk(id, 0, "c" + i, i, context.get(i), null, null));
        }
        events.add(new MonitorEvent.TokenDelta(id, 0, 0, response));
        events.add(new MonitorEvent.RequestFinished(id, 0, "stop"));
        List<MonitorOutput> outputs = new ArrayList<>();
        try (Encoder enc = encoder.openEncoder()) {
            io.groundstate.detectors.calib.Combiner combiner = encoder.combiner();
            EncoderOptions.warnOnEncoderMismatch(enc, combiner);
            RequestMonitor monitor = new RequestMonitor(enc, combiner, encoder.monitorConfig(), () -> 0L);
            RequestState state = new RequestState();
            for (MonitorEvent e : events) {
                outputs.addAll(monitor.process(state, e));
            }
        }
        PrintStream out = System.out;
        if (json) {
            out.println(ReportJson.JSON.writeValueAsString(toJson(outputs)));
        } else {
            human(out, outputs, !noColor && System.console() != null);
        }
        return 0;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("no such file: " + p, e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode toJson(List<MonitorOutput> outputs) {
        ObjectNode o = ReportJson.JSON.createObjectNode();
        ArrayNode sentences = o.putArray("sentences");
        ArrayNode alerts = o.putArray("alerts");
        for (MonitorOutput x : outputs) {
            if (x instanceof MonitorOutput.SpanScore s) {
                ObjectNode n = sentences.addObject();
                n.put("index", s.sentenceIndex());
                n.put("start", s.start());
                n.put("end", s.end());
                n.put("text", s.text());
                n.put("probability", s.probability());
                n.put("flagged", s.flagged());
                n.put("energy", SentenceFeature.ENERGY.of(s.features()));
                n.put("state", s.state());
                n.put("transition", s.transition());
                n.put("nearest_chunk_id", s.nearestChunkId());
                n.put("nearest_similarity", s.nearestSimilarity());
                ArrayNode a = n.putArray("attributed_tokens");
                s.attributed().forEach(t -> a.addObject().put("token", t.token()).put("start", t.start()).put("end", t.end()));
            } else if (x instanceof MonitorOutput.Alert a) {
                alerts.add(ReportJson.JSON.valueToTree(a));
            } else if (x instanceof MonitorOutput.Verdict v) {
                o.set("verdict", ReportJson.JSON.valueToTree(v));
            }
        }
        return o;
    }

    private static void human(PrintStream out, List<MonitorOutput> outputs, boolean color) {
        String red = color ? "\u001b[31m" : "";
        String bold = color ? "\u001b[1m" : "";
        String reset = color ? "\u001b[0m" : "";
        for (MonitorOutput x : outputs) {
            if (x instanceof MonitorOutput.SpanScore s) {
                out.printf("%s[%d] p=%.2f E=%.3f %s %s%s%n", s.flagged() ? red + "FLAG " : "     ", s.sentenceIndex(),
                        s.probability(), SentenceFeature.ENERGY.of(s.features()), s.state(), s.text(), reset);
                if (s.flagged() && !s.attributed().isEmpty()) {
                    out.printf("        unsupported: %s%s%s%n", bold,
                            String.join(", ", s.attributed().stream().map(Attribution::token).toList()), reset);
                }
            } else if (x instanceof MonitorOutput.Alert a) {
                out.printf("        alert %s %s score=%.3f threshold=%.3f%n", a.kind(), a.severity(), a.score(), a.threshold());
            } else if (x instanceof MonitorOutput.Verdict v) {
                out.printf("%sverdict: %s (p=%.2f, threshold %.2f), %d of %d sentences flagged%s%n", bold,
                        v.hallucinated() ? "likely hallucinated" : "grounded", v.probability(), v.threshold(),
                        v.flaggedSentences(), v.sentences(), reset);
                if (!v.spans().isEmpty()) {
                    out.printf("unsupported: %s%s%s%n", red, String.join(" | ",
                            v.spans().stream().map(Attribution::token).toList()), reset);
                }
            }
        }
    }
}
