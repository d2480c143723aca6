package io.groundstate.bench;

import io.groundstate.detectors.eval.LabeledRecord;
import io.groundstate.detectors.text.Sentence;
import io.groundstate.detectors.text.SentenceSegmenter;
import io.groundstate.streams.demo.SimulatedApp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The inputs of a benchmark: labeled answers from a file (RAGTruth format) or the demo's shipped answers. */
public final class Corpus {
    @Option(names = "--data", description = "Labeled records, JSON lines in RAGTruth format (default: the demo's 35 "
            + "shipped answers).")
    Path data;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N records (0: all).")
    int limit;

    public List<LabeledRecord> answers() throws IOException {
        List<LabeledRecord> all = data == null ? SimulatedApp.shippedAnswers() : LabeledRecord.read(data);
        return limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
    }

    public String describe() {
        return data == null ? "the demo's shipped answers" : data.toString();
    }

    /**
     * The first {@code n} distinct sentences of the answers and their contexts, in file order, as the monitor
     * embeds them; cycles when there are fewer, so a run always has {@code n}.
     */
    public static List<String> sentences(List<LabeledRecord> answers, int n) {
        Set<String> distinct = new LinkedHashSet<>();
        for (LabeledRecord r : answers) {
            for (String text : new String[] {r.response(), r.context()}) {
                for (Sentence s : SentenceSegmenter.split(text)) {
                    if (!s.text().isBlank()) {
                        distinct.add(s.text().strip());
                    }
                }
                if (distinct.size() >= n) {
                    break;
                }
            }
            if (distinct.size() >= n) {
                break;
            }
        }
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("the data holds no sentences");
        }
        List<String> list = new ArrayList<>(distinct);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(list.get(i % list.size()));
        }
        return out;
    }
}
