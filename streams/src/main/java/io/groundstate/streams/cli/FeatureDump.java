package io.groundstate.streams.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.calib.Features;
import io.groundstate.detectors.eval.Evaluation;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Per-sentence features, labels and attributions as JSON lines, for analysis outside the JVM. */
final class FeatureDump {
    private FeatureDump() {
    }

    static void write(Path file, List<Evaluation.RecordResult> results) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Evaluation.RecordResult r : results) {
                ObjectNode o = ReportJson.JSON.createObjectNode();
                o.put("id", r.record().id());
                o.put("source_id", r.record().source());
                o.put("task_type", r.record().task());
                o.put("hallucinated", r.record().hallucinated());
                o.put("response", r.record().response());
                o.put("probability", r.probability());
                o.put("predicted", r.predicted());
                ArrayNode gold = o.putArray("labels");
                r.record().spans().forEach(s -> gold.addArray().add(s.start()).add(s.end()));
                o.putPOJO("feature_names", Features.NAMES);
                o.putPOJO("token_feature_names", Features.TOKEN_NAMES);
                ArrayNode ss = o.putArray("sentences");
                boolean[] y = r.sentenceLabels();
                for (int i = 0; i < y.length; i++) {
                    Evaluation.SentenceResult s = r.sentences().get(i);
                    ObjectNode n = ss.addObject();
                    n.put("start", s.start()).put("end", s.end());
                    if (r.record().spanLabeled()) {
                        n.put("label", y[i]);
                    } else {
                        n.putNull("label"); // labeled at response level: this sentence's truth is unknown
                    }
                    ArrayNode f = n.putArray("features");
                    for (double x : s.features()) {
                        f.add(x);
                    }
                    ArrayNode tokens = n.putArray("tokens"); // start, end, then the token features in order
                    for (var t : s.tokens()) {
                        ArrayNode row = tokens.addArray().add(t.start()).add(t.end());
                        for (double x : t.features()) {
                            row.add(x);
                        }
                    }
                    n.put("probability", s.probability());
                    n.put("flagged", s.flagged());
                    ArrayNode a = n.putArray("attributed");
                    s.attributed().forEach(t -> a.addArray().add(t.start()).add(t.end()).add(t.token()));
                }
                w.write(o.toString());
                w.newLine();
            }
        }
    }
}
