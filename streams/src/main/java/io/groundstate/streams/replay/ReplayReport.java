package io.groundstate.streams.replay;

import io.groundstate.detectors.text.Attribution;
import io.groundstate.detectors.calib.SentenceFeature;
import io.groundstate.detectors.calib.Thresholds;
import io.groundstate.detectors.monitor.MonitorOutput;
import io.groundstate.detectors.monitor.MonitorOutput.AlertKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replay's HTML report: one self-contained file (inline CSS and SVG, no script, no external asset).
 * Summary counts and rates by app, model and alert kind; then, for the requests that drew alerts or a
 * hallucinated verdict (up to a limit, in input order), the response with flagged sentences highlighted and
 * their attributed tokens emphasised, scores on hover, the nearest context passage, and a chart of grounding
 * energy and the drift statistic with the semantic state sequence.
 */
public final class ReplayReport {
    private final int detailLimit;
    private final Thresholds thresholds;
    private final Map<String, Group> byApp = new TreeMap<>();
    private final Map<String, Group> byModel = new TreeMap<>();
    private final Group total = new Group();
    private final Map<String, Integer> deadLetters = new TreeMap<>();
    private final Map<String, Map<Integer, MonitorOutput.SpanScore>> scores = new HashMap<>();
    private final Map<String, List<MonitorOutput.Alert>> alerts = new HashMap<>();
    private final List<Detail> details = new ArrayList<>();
    private int omitted;

    public ReplayReport(int detailLimit, Thresholds thresholds) {
        this.detailLimit = detailLimit;
        this.thresholds = thresholds;
    }

    private static final class Group {
        long requests;
        long hallucinated;
        long sentences;
        long flagged;
        final Map<AlertKind, Long> alerts = new EnumMap<>(AlertKind.class);

        void verdict(MonitorOutput.Verdict v) {
            requests++;
            hallucinated += v.hallucinated() ? 1 : 0;
            sentences += v.sentences();
            flagged += v.flaggedSentences();
        }

        void alert(AlertKind k) {
            alerts.merge(k, 1L, Long::sum);
        }
    }

    private record Detail(Replayer.FinishedRequest request, MonitorOutput.Verdict verdict,
                          List<MonitorOutput.SpanScore> sentences, List<MonitorOutput.Alert> alerts) {
    }

    public void deadLetter(String reason) {
        String key = reason == null ? "unknown" : reason.length() > 90 ? reason.substring(0, 90) + "…" : reason;
        deadLetters.merge(key, 1, Integer::sum);
    }

    public void add(MonitorOutput o, Replayer.FinishedRequest finished) {
        if (o instanceof MonitorOutput.SpanScore s) {
            scores.computeIfAbsent(s.requestId(), k -> new TreeMap<>()).put(s.sentenceIndex(), s);
        } else if (o instanceof MonitorOutput.Alert a) {
            alerts.computeIfAbsent(a.requestId(), k -> new ArrayList<>()).add(a);
            byApp.computeIfAbsent(a.app(), k -> new Group()).alert(a.kind());
            byModel.computeIfAbsent(a.model(), k -> new Group()).alert(a.kind());
            total.alert(a.kind());
        } else if (o instanceof MonitorOutput.Verdict v) {
            byApp.computeIfAbsent(v.app(), k -> new Group()).verdict(v);
            byModel.computeIfAbsent(v.model(), k -> new Group()).verdict(v);
            total.verdict(v);
            Map<Integer, MonitorOutput.SpanScore> ss = scores.remove(v.requestId());
            List<MonitorOutput.Alert> as = alerts.remove(v.requestId());
            if (finished != null && (v.hallucinated() || as != null)) {
                if (details.size() < detailLimit) {
                    details.add(new Detail(finished, v, ss == null ? List.of() : new ArrayList<>(ss.values()),
                            as == null ? List.of() : as));
                } else {
                    omitted++;
                }
            }
        }
    }

    /** @param meta lines of what was replayed and how, shown at the top */
    public String html(List<String> meta) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>groundstate replay report</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>groundstate replay report</h1>\n<ul class=\"meta\">");
        for (String m : meta) {
            h.append("<li>").append(esc(m)).append("</li>");
        }
        h.append("</ul>\n");
        summary(h);
        h.append("<h2 id=\"requests\">Requests with alerts or a hallucinated verdict</h2>\n");
        if (details.isEmpty()) {
            h.append("<p class=\"empty\">None.</p>\n");
        }
        for (Detail d : details) {
            request(h, d);
        }
        if (omitted > 0) {
            h.append("<p class=\"empty\">").append(omitted)
                    .append(" more not shown (raise --report-requests to see them).</p>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private void summary(StringBuilder h) {
        h.append("<h2>Summary</h2>\n<table class=\"summary\"><thead><tr><th></th><th>requests</th>")
                .append("<th>hallucinated</th><th>rate</th><th>sentences</th><th>flagged</th>");
        for (AlertKind k : AlertKind.values()) {
            h.append("<th>").append(esc(kindName(k))).append(" alerts</th>");
        }
        h.append("<th>alerts per request</th></tr></thead><tbody>\n");
        row(h, "all", total, "total");
        byApp.forEach((k, g) -> row(h, "app " + k, g, "app"));
        byModel.forEach((k, g) -> row(h, "model " + k, g, "model"));
        h.append("</tbody></table>\n");
        if (!deadLetters.isEmpty()) {
            h.append("<h3>Dead letters</h3>\n<table class=\"summary\"><thead><tr><th>reason</th><th>records</th></tr>")
                    .append("</thead><tbody>");
            deadLetters.forEach((r, n) -> h.append("<tr><td class=\"reason\">").append(esc(r)).append("</td><td>")
                    .append(n).append("</td></tr>"));
            h.append("</tbody></table>\n");
        }
    }

    private static void row(StringBuilder h, String name, Group g, String cls) {
        long alerts = g.alerts.values().stream().mapToLong(Long::longValue).sum();
        h.append("<tr class=\"").append(cls).append("\"><th>").append(esc(name)).append("</th><td>").append(g.requests)
                .append("</td><td>").append(g.hallucinated).append("</td><td>").append(pct(g.hallucinated, g.requests))
                .append("</td><td>").append(g.sentences).append("</td><td>").append(g.flagged).append("</td>");
        for (AlertKind k : AlertKind.values()) {
            h.append("<td>").append(g.alerts.getOrDefault(k, 0L)).append("</td>");
        }
        h.append("<td>").append(g.requests == 0 ? "–" : fmt((double) alerts / g.requests)).append("</td></tr>\n");
    }

    private void request(StringBuilder h, Detail d) {
        MonitorOutput.Verdict v = d.verdict;
        Replayer.FinishedRequest r = d.request;
        h.append("<section class=\"request\" id=\"r-").append(esc(anchor(r.requestId()))).append("\">\n<h3>")
                .append(esc(r.requestId())).append("</h3>\n<p class=\"facts\">app <b>").append(esc(r.app()))
                .append("</b> · model <b>").append(esc(r.model())).append("</b> · verdict <b class=\"")
                .append(v.hallucinated() ? "bad" : "good").append("\">")
                .append(v.hallucinated() ? "hallucinated" : "supported").append("</b> (P = ").append(fmt(v.probability()))
                .append(", threshold ").append(fmt(v.threshold())).append(") · ").append(v.flaggedSentences()).append(" of ")
                .append(v.sentences()).append(" sentences flagged · ").append(d.alerts.size()).append(" alerts · finish ")
                .append(esc(v.finishReason())).append("</p>\n");
        if (r.prompt() != null) {
            h.append("<p class=\"prompt\"><span>question</span> ").append(esc(r.prompt())).append("</p>\n");
        }
        h.append("<div class=\"response\">");
        response(h, r.response(), d.sentences, v, d.alerts);
        h.append("</div>\n");
        chart(h, d.sentences);
        sentenceTable(h, d, r);
        h.append("</section>\n");
    }

    /** The response, sentence by sentence, with verdict spans and attributed tokens marked by character. */
    private void response(StringBuilder h, String text, List<MonitorOutput.SpanScore> sentences,
                          MonitorOutput.Verdict v, List<MonitorOutput.Alert> alerts) {
        int n = text.length();
        boolean[] span = new boolean[n];
        boolean[] attributed = new boolean[n];
        for (MonitorOutput.SpanScore s : sentences) {
            // Attributions explain a decision: only where one was made (a flag or an alert on the sentence).
            if (s.flagged() || alerts.stream().anyMatch(a -> a.start() == s.start() && a.end() == s.end())) {
                mark(attributed, s.attributed(), n);
            }
            if (s.flagged()) {
                mark(span, s.spans(), n);
            }
        }
        mark(span, v.spans(), n);
        int at = 0;
        for (MonitorOutput.SpanScore s : sentences) {
            if (s.start() < at || s.end() > n) {
                continue;
            }
            h.append(esc(text.substring(at, s.start())));
            h.append("<span class=\"sentence").append(s.flagged() ? " flagged" : "").append("\" title=\"")
                    .append(esc(hover(s))).append("\">");
            runs(h, text, s.start(), s.end(), span, attributed);
            h.append("</span>");
            at = s.end();
        }
        h.append(esc(text.substring(Math.min(at, n))));
    }

    private static void mark(boolean[] into, List<Attribution> spans, int n) {
        for (Attribution a : spans) {
            for (int i = Math.max(0, a.start()); i < Math.min(n, a.end()); i++) {
                into[i] = true;
            }
        }
    }

    private static void runs(StringBuilder h, String text, int from, int to, boolean[] span, boolean[] attributed) {
        int i = from;
        while (i < to) {
            int j = i;
            while (j < to && span[j] == span[i] && attributed[j] == attributed[i]) {
                j++;
            }
            String piece = esc(text.substring(i, j));
            if (span[i] && attributed[i]) {
                h.append("<mark class=\"span\"><em>").append(piece).append("</em></mark>");
            } else if (span[i]) {
                h.append("<mark class=\"span\">").append(piece).append("</mark>");
            } else if (attributed[i]) {
                h.append("<em>").append(piece).append("</em>");
            } else {
                h.append(piece);
            }
            i = j;
        }
    }

    private static String hover(MonitorOutput.SpanScore s) {
        double[] f = s.features();
        return String.format(Locale.ROOT, "sentence %d · P(unsupported) %.3f%s · energy %.3f · calibrated %.3f · "
                        + "gain %.3f · drift S %.3f · state %s (%s) · nearest %s (cos %.3f)", s.sentenceIndex(),
                s.probability(), s.flagged() ? " flagged" : "", SentenceFeature.ENERGY.of(f), SentenceFeature.CALIBRATED_ENERGY.of(f),
                SentenceFeature.GAIN.of(f), SentenceFeature.CUSUM.of(f), s.state(), s.transition(), s.nearestChunkId(),
                s.nearestSimilarity());
    }

    /** Calibrated energy and the CUSUM drift statistic per sentence, the alarm level h, and the state sequence. */
    private void chart(StringBuilder h, List<MonitorOutput.SpanScore> sentences) {
        if (sentences.isEmpty()) {
            return;
        }
        int n = sentences.size();
        double highest = thresholds.driftH() * 1.25;
        double lowest = 0;
        for (MonitorOutput.SpanScore s : sentences) {
            highest = Math.max(highest, Math.max(SentenceFeature.CALIBRATED_ENERGY.of(s.features()), SentenceFeature.CUSUM.of(s.features())));
            lowest = Math.min(lowest, SentenceFeature.CALIBRATED_ENERGY.of(s.features()));
        }
        double top = highest;
        double bottom = lowest;
        int w = Math.max(600, Math.min(1100, 70 * n + 90));
        int ht = 220;
        int left = 46;
        int right = 16;
        int plotTop = 14;
        int plotBottom = ht - 52;
        double span = top - bottom;
        java.util.function.IntToDoubleFunction x = i -> n == 1 ? left + (w - left - right) / 2.0
                : left + i * (double) (w - left - right) / (n - 1);
        java.util.function.DoubleUnaryOperator y = v -> plotBottom - (v - bottom) / span * (plotBottom - plotTop);
        h.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ").append(w).append(' ').append(ht)
                .append("\" width=\"").append(w).append("\" height=\"").append(ht)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\"><title>Grounding energy and drift by sentence</title>");
        h.append(line(left, y.applyAsDouble(0), w - right, y.applyAsDouble(0), "axis"));
        h.append(line(left, y.applyAsDouble(thresholds.driftH()), w - right, y.applyAsDouble(thresholds.driftH()),
                "alarm"));
        h.append(text(w - right, y.applyAsDouble(thresholds.driftH()) - 4, "end", "alarm-label",
                "drift alarm h = " + fmt(thresholds.driftH())));
        for (double tick : new double[] {bottom, 0, top}) {
            if (tick == 0 || Math.abs(tick) > 0.08 * span) { // labels too close to 0 would overlap it
                h.append(text(left - 6, y.applyAsDouble(tick) + 4, "end", "tick", fmt(tick)));
            }
        }
        StringBuilder energy = new StringBuilder();
        StringBuilder cusum = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double[] f = sentences.get(i).features();
            energy.append(i == 0 ? "M" : " L").append(num(x.applyAsDouble(i))).append(',')
                    .append(num(y.applyAsDouble(SentenceFeature.CALIBRATED_ENERGY.of(f))));
            cusum.append(i == 0 ? "M" : " L").append(num(x.applyAsDouble(i))).append(',')
                    .append(num(y.applyAsDouble(SentenceFeature.CUSUM.of(f))));
        }
        h.append("<path class=\"energy\" d=\"").append(energy).append("\"/>");
        h.append("<path class=\"cusum\" d=\"").append(cusum).append("\"/>");
        for (int i = 0; i < n; i++) {
            MonitorOutput.SpanScore s = sentences.get(i);
            double[] f = s.features();
            h.append("<circle class=\"").append(s.flagged() ? "dot flagged" : "dot").append("\" cx=\"")
                    .append(num(x.applyAsDouble(i))).append("\" cy=\"")
                    .append(num(y.applyAsDouble(SentenceFeature.CALIBRATED_ENERGY.of(f)))).append("\" r=\"4.5\"><title>")
                    .append(esc(hover(s))).append("</title></circle>");
            h.append("<circle class=\"dot cusum-dot\" cx=\"").append(num(x.applyAsDouble(i))).append("\" cy=\"")
                    .append(num(y.applyAsDouble(SentenceFeature.CUSUM.of(f)))).append("\" r=\"3\"><title>drift S = ")
                    .append(fmt(SentenceFeature.CUSUM.of(f))).append("</title></circle>");
            String state = s.state() + (s.transition().equals("indirect") ? " ⤳" : "");
            h.append(text(x.applyAsDouble(i), plotBottom + 18, "middle",
                    s.transition().equals("indirect") ? "state indirect" : "state", state));
            h.append(text(x.applyAsDouble(i), plotBottom + 32, "middle", "tick", "#" + s.sentenceIndex()));
        }
        h.append(text(left, ht - 4, "start", "legend", "● calibrated energy Ẽ − E0   ● drift statistic S (CUSUM)   "
                + "states below (⤳ indirect transition)"));
        h.append("</svg>\n");
    }

    private static String line(double x1, double y1, double x2, double y2, String cls) {
        return "<line class=\"" + cls + "\" x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\""
                + num(y2) + "\"/>";
    }

    private static String text(double x, double y, String anchor, String cls, String body) {
        return "<text class=\"" + cls + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">"
                + esc(body) + "</text>";
    }

    private void sentenceTable(StringBuilder h, Detail d, Replayer.FinishedRequest r) {
        boolean any = d.sentences.stream().anyMatch(s -> s.flagged()
                || d.alerts.stream().anyMatch(a -> a.start() == s.start() && a.end() == s.end()));
        if (!any) {
            h.append("<p class=\"empty\">No sentence crossed an alert threshold; the verdict weighs the whole "
                    + "answer's evidence (hover over the sentences for their scores).</p>\n");
            return;
        }
        h.append("<table class=\"sentences\"><thead><tr><th>#</th><th>P</th><th>energy</th><th>gain</th>")
                .append("<th>state</th><th>alerts</th><th>nearest context passage</th></tr></thead><tbody>\n");
        for (MonitorOutput.SpanScore s : d.sentences) {
            List<String> kinds = d.alerts.stream().filter(a -> a.start() == s.start() && a.end() == s.end())
                    .map(a -> kindName(a.kind()) + (a.severity() == MonitorOutput.Severity.CRITICAL ? " (critical)" : ""))
                    .toList();
            if (!s.flagged() && kinds.isEmpty()) {
                continue;
            }
            double[] f = s.features();
            String chunk = r.chunks().get(s.nearestChunkId());
            h.append("<tr><td>").append(s.sentenceIndex()).append("</td><td>").append(fmt(s.probability()))
                    .append("</td><td>").append(fmt(SentenceFeature.ENERGY.of(f))).append("</td><td>").append(fmt(SentenceFeature.GAIN.of(f)))
                    .append("</td><td>").append(esc(s.state())).append(" (").append(esc(s.transition())).append(")</td><td>")
                    .append(esc(String.join(", ", kinds))).append("</td><td><details><summary>")
                    .append(esc(String.valueOf(s.nearestChunkId()))).append(" · cos ").append(fmt(s.nearestSimilarity()))
                    .append("</summary><blockquote>").append(esc(chunk == null ? "(no text: the app sent its embedding)"
                            : chunk.length() > 4000 ? chunk.substring(0, 4000) + " …" : chunk))
                    .append("</blockquote></details></td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    /** An alert kind as people read it: "ungrounded span". */
    public static String kindName(AlertKind k) {
        return k.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String anchor(String id) {
        return id.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private static String pct(long a, long b) {
        return b == 0 ? "–" : String.format(Locale.ROOT, "%.1f%%", 100.0 * a / b);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        b.append(' ');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            :root{--bad:#b3261e;--warn:#e8a317;--ink:#1d1d1f;--muted:#6b6b70;--line:#d8d8dc;--bg:#fbfbfd}
            body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg);
              margin:0 auto;max-width:1180px;padding:24px}
            h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;margin-top:28px}h3{font-size:15px;margin:0 0 4px;
              font-family:ui-monospace,monospace}
            ul.meta{color:var(--muted);padding-left:18px;margin:0}
            table{border-collapse:collapse;margin:8px 0;background:#fff}
            th,td{border:1px solid var(--line);padding:4px 8px;text-align:right;vertical-align:top}
            thead th{background:#f0f0f3;font-weight:600}tbody th{text-align:left;font-weight:500}
            tr.total th,tr.total td{font-weight:700}td.reason{text-align:left;font-family:ui-monospace,monospace}
            section.request{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:14px 0}
            .facts{color:var(--muted);margin:0 0 8px}.bad{color:var(--bad)}.good{color:#1b7f3b}
            .prompt span{font-size:12px;text-transform:uppercase;color:var(--muted);margin-right:6px}
            .response{white-space:pre-wrap;border-left:3px solid var(--line);padding:4px 12px;margin:8px 0}
            .sentence{border-radius:3px}.sentence:hover{background:#eef3ff}
            .sentence.flagged{background:#fff1c7;box-shadow:inset 0 -2px 0 var(--warn)}
            mark.span{background:#ffd0cc;color:inherit;border-bottom:2px solid var(--bad)}
            em{font-style:normal;font-weight:700;text-decoration:underline dotted var(--bad)}
            table.sentences td:last-child{text-align:left;max-width:640px}
            blockquote{margin:6px 0;white-space:pre-wrap;color:#333;font-size:13px}
            svg.chart{display:block;margin:8px 0;max-width:100%;height:auto}
            .chart .axis{stroke:#999}.chart .alarm{stroke:var(--bad);stroke-dasharray:5 4}
            .chart .energy{fill:none;stroke:#2f6fdb;stroke-width:2}.chart .cusum{fill:none;stroke:#9b59b6;stroke-width:2}
            .chart .dot{fill:#2f6fdb}.chart .dot.flagged{fill:var(--warn);stroke:var(--bad);stroke-width:1.5}
            .chart .cusum-dot{fill:#9b59b6}.chart text{font-size:11px;fill:var(--muted)}
            .chart .state{fill:var(--ink)}.chart .state.indirect{fill:var(--bad);font-weight:700}
            .chart .alarm-label{fill:var(--bad)}.empty{color:var(--muted)}
            """;
}
