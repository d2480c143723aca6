package io.groundstate.streams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groundstate.detectors.eval.Evaluation;
import java.io.PrintStream;
import java.util.Map;

/** The evaluation report as the one JSON object eval --json prints, and as a table for people. */
final class ReportJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private ReportJson() {
    }

    static ObjectNode toJson(Evaluation.Report r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("responses", r.responses());
        o.set("response_level", level(r.responseLevel(), true));
        o.set("span_level", level(r.spanLevel(), false));
        ObjectNode tasks = o.putObject("by_task");
        for (Map.Entry<String, Evaluation.TaskReport> e : r.byTask().entrySet()) {
            ObjectNode t = tasks.putObject(e.getKey());
            t.put("responses", e.getValue().responses());
            t.put("hallucinated", e.getValue().hallucinated());
            t.set("response_level", level(e.getValue().responseLevel(), true));
            t.set("span_level", level(e.getValue().spanLevel(), false));
        }
        number(o, "mean_within_task_auroc", r.meanWithinTaskAuroc());
        return o;
    }

    private static ObjectNode level(Evaluation.Level l, boolean withAuroc) {
        ObjectNode o = JSON.createObjectNode();
        number(o, "precision", l.precision());
        number(o, "recall", l.recall());
        number(o, "f1", l.f1());
        if (withAuroc) {
            number(o, "auroc", l.auroc());
        }
        return o;
    }

    private static void number(ObjectNode o, String name, double v) {
        if (Double.isNaN(v)) {
            o.putNull(name);
        } else {
            o.put(name, Math.round(v * 10000) / 10000.0);
        }
    }

    static void table(PrintStream out, String title, Evaluation.Report r) {
        out.println(title);
        out.printf("  %-10s %5s  %-28s  %-22s%n", "", "n", "response P / R / F1 / AUROC", "span P / R / F1");
        row(out, "all", r.responses(), r.responseLevel(), r.spanLevel());
        for (Map.Entry<String, Evaluation.TaskReport> e : r.byTask().entrySet()) {
            row(out, e.getKey(), e.getValue().responses(), e.getValue().responseLevel(), e.getValue().spanLevel());
        }
        out.printf("  mean within-task AUROC %.3f%n", r.meanWithinTaskAuroc());
    }

    private static void row(PrintStream out, String name, int n, Evaluation.Level resp, Evaluation.Level span) {
        out.printf("  %-10s %5d  %.3f / %.3f / %.3f / %.3f   %.3f / %.3f / %.3f%n", name, n, resp.precision(),
                resp.recall(), resp.f1(), resp.auroc(), span.precision(), span.recall(), span.f1());
    }
}
