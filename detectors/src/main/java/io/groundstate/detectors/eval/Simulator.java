package io.groundstate.detectors.eval;

import io.groundstate.detectors.monitor.MonitorEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Turns a labeled record into the events an instrumented app would have sent: request started,
 * the context as ranked chunks, the response as token deltas of one to four words, request finished.
 * Deterministic: the same record gives the same events.
 */
public final class Simulator {
    static final long EPOCH = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final int CHUNK_CHARS = 2000;

    private Simulator() {
    }

    public static List<MonitorEvent> events(LabeledRecord r) {
        String id = r.id();
        SplittableRandom random = new SplittableRandom(id.hashCode() * 0x9E3779B97F4A7C15L);
        long t = EPOCH + Math.floorMod(id.hashCode(), 86_400_000);
        List<MonitorEvent> out = new ArrayList<>();
        String app = "ragtruth-" + r.task().toLowerCase(Locale.ROOT);
        out.add(new MonitorEvent.RequestStarted(id, t, app, r.model() == null ? "unknown" : r.model(),
                r.question(), Map.of("task_type", r.task())));
        List<String> chunks = chunks(r.context());
        for (int i = 0; i < chunks.size(); i++) {
            t += 2;
            out.add(new MonitorEvent.ContextChunk(id, t, "c" + i, i, chunks.get(i), null, null));
        }
        t += 300; // time to first token
        long index = 0;
        for (String delta : deltas(r.response(), random)) {
            t += 20 + random.nextInt(40);
            out.add(new MonitorEvent.TokenDelta(id, t, index++, delta));
        }
        out.add(new MonitorEvent.RequestFinished(id, t + 5, "stop"));
        return out;
    }

    /** Several records' events merged by event time, as an archive of concurrent traffic holds them (stable: a request keeps its order). */
    public static List<MonitorEvent> interleaved(List<LabeledRecord> records) {
        List<MonitorEvent> out = new ArrayList<>();
        records.forEach(r -> out.addAll(events(r)));
        out.sort(Comparator.comparingLong(MonitorEvent::eventTime));
        return out;
    }

    /** Paragraphs grouped into chunks of about CHUNK_CHARS; a structured record stays whole. */
    static List<String> chunks(String context) {
        String c = context.strip();
        List<String> out = new ArrayList<>();
        if (c.startsWith("{") || c.startsWith("[")) {
            out.add(c);
            return out;
        }
        StringBuilder cur = new StringBuilder();
        for (String para : c.split("\\n\\s*\\n")) {
            if (cur.length() > 0 && cur.length() + para.length() > CHUNK_CHARS) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            if (cur.length() > 0) {
                cur.append("\n\n");
            }
            cur.append(para.strip());
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Pieces of one to four words, whitespace kept with the word after it, concatenating to the response exactly. */
    static List<String> deltas(String response, SplittableRandom random) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = response.length();
        while (i < n) {
            int words = 1 + random.nextInt(4);
            int j = i;
            for (int w = 0; w < words && j < n; w++) {
                while (j < n && Character.isWhitespace(response.charAt(j))) {
                    j++;
                }
                while (j < n && !Character.isWhitespace(response.charAt(j))) {
                    j++;
                }
            }
            out.add(response.substring(i, j));
            i = j;
        }
        return out;
    }
}
