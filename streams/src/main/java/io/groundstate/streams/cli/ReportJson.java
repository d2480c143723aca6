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
        o.put("span_labeled_responses", r.spanLabeled());
        o.set("alerts", alerts(r.alerts()));
        o.set("calibration", calibration(r.calibration()));
        if (r.pairs() != null) {
            o.set("pairs", pairs(r.pairs()));
        }
        return o;
    }

    private static ObjectNode alerts(Evaluation.AlertReport a) {
        ObjectNode o = JSON.createObjectNode();
        var published = o.putArray("published_kinds");
        a.published().forEach(k -> published.add(k.name()));
        number(o, "faithful_answers_with_alert", a.faithfulWithAlert());
        number(o, "hallucinated_answers_with_alert", a.hallucinatedWithAlert());
        var kinds = o.putArray("by_kind");
        for (Evaluation.KindReport k : a.byKind()) {
            ObjectNode n = kinds.addObject();
            n.put("kind", k.kind().name());
            n.put("severity", k.severity() == null ? "any" : k.severity().name());
            n.put("alerts", k.alerts());
            number(n, "per_100_answers", k.per100Answers());
            number(n, "precision", k.precision());
            number(n, "recall", k.recall());
        }
        return o;
    }

    private static ObjectNode calibration(Evaluation.Calibration c) {
        ObjectNode o = JSON.createObjectNode();
        number(o, "expected_calibration_error", c.expectedCalibrationError());
        var bins = o.putArray("reliability");
        for (Evaluation.Bin b : c.bins()) {
            ObjectNode n = bins.addObject();
            n.put("from", b.from()).put("to", b.to()).put("responses", b.responses());
            number(n, "mean_probability", b.meanProbability());
            number(n, "observed_rate", b.observedRate());
        }
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
        if (r.spanLabeled() < r.responses()) {
            out.printf("  span level over the %d of %d responses labeled with spans (the rest: response level only)%n",
                    r.spanLabeled(), r.responses());
        }
        if (r.pairs() != null) {
            printPairs(out, r.pairs());
        }
        Evaluation.AlertReport a = r.alerts();
        if (a.byKind().stream().allMatch(k -> k.alerts() == 0)) {
            return; // a baseline that raises none
        }
        out.printf("  alerts published (%s): %.1f%% of faithful answers and %.1f%% of hallucinated ones drew at least one%n",
                a.published(), 100 * a.faithfulWithAlert(), 100 * a.hallucinatedWithAlert());
        out.printf("  %-16s %-9s %7s %9s %10s %7s%n", "kind", "severity", "alerts", "per 100", "precision", "recall");
        for (Evaluation.KindReport k : a.byKind()) {
            out.printf("  %-16s %-9s %7d %9.1f %10.3f %7.3f%s%n", k.kind(), k.severity() == null ? "any" : k.severity(),
                    k.alerts(), k.per100Answers(), k.precision(), k.recall(),
                    a.published().contains(k.kind()) ? "" : "   (off: measured, not published)");
        }
        out.printf("  verdict calibration: ECE %.3f (10 bins)%n", r.calibration().expectedCalibrationError());
    }

    private static ObjectNode pairs(Evaluation.PairReport p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("pairs", p.pairs());
        n.put("ranked_correctly", p.ranked());
        n.put("hallucinated_twins_flagged", p.twinsFlagged());
        n.put("faithful_twins_flagged", p.faithfulFlagged());
        n.put("hallucinated_twins_alerted", p.twinsAlerted());
        n.put("faithful_twins_alerted", p.faithfulAlerted());
        if (!p.byEdit().isEmpty()) {
            ObjectNode edits = n.putObject("by_edit");
            p.byEdit().forEach((k, v) -> edits.set(k, pairs(v)));
        }
        return n;
    }

    private static void printPairs(PrintStream out, Evaluation.PairReport p) {
        out.printf("  minimal pairs: %d; ranked correctly %.1f%%; hallucinated twins flagged %.1f%%, faithful twins "
                + "flagged %.1f%%; with an alert %.1f%% and %.1f%%%n", p.pairs(), 100 * p.ranked(),
                100 * p.twinsFlagged(), 100 * p.faithfulFlagged(), 100 * p.twinsAlerted(), 100 * p.faithfulAlerted());
        out.printf("  %-12s %5s %8s %9s %9s%n", "edit", "pairs", "ranked", "twin flg", "faith flg");
        p.byEdit().forEach((k, v) -> out.printf("  %-12s %5d %7.1f%% %8.1f%% %8.1f%%%n", k, v.pairs(), 100 * v.ranked(),
                100 * v.twinsFlagged(), 100 * v.faithfulFlagged()));
    }

    private static void row(PrintStream out, String name, int n, Evaluation.Level resp, Evaluation.Level span) {
        out.printf("  %-10s %5d  %.3f / %.3f / %.3f / %.3f   %.3f / %.3f / %.3f%n", name, n, resp.precision(),
                resp.recall(), resp.f1(), resp.auroc(), span.precision(), span.recall(), span.f1());
    }
}
