package io.groundstate.detectors.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.calib.Combiner;
import io.groundstate.detectors.encoder.EncoderSpec;
import io.groundstate.detectors.encoder.onnx.OnnxEncoder;
import io.groundstate.detectors.monitor.MonitorConfig;
import io.groundstate.detectors.monitor.RequestMonitor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The contrast suite (tools/contrast_suite.py): hand-written minimal pairs, a sanity check that nothing is fitted on.
 * Its figures are reported in docs/evaluation.md; here, that it is what it says it is, and that the shipped detector
 * ranks its pairs and leaves its faithful answers alone.
 */
class ContrastSuiteTest {
    static List<LabeledRecord> suite() throws Exception {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                ContrastSuiteTest.class.getResourceAsStream("/contrast-suite.jsonl"), StandardCharsets.UTF_8))) {
            return LabeledRecord.read(in, "contrast-suite.jsonl");
        }
    }

    @Test
    void everyPairIsAFaithfulAnswerAndATwinThatDiffersOnlyWhereItIsLabeled() throws Exception {
        Map<String, LabeledRecord[]> pairs = new HashMap<>();
        for (LabeledRecord r : suite()) {
            pairs.computeIfAbsent(r.pair(), k -> new LabeledRecord[2])[r.hallucinated() ? 1 : 0] = r;
        }
        assertTrue(pairs.size() >= 60, "at least 60 pairs: " + pairs.size());
        Set<String> tasks = new TreeSet<>();
        Set<String> edits = new TreeSet<>();
        for (LabeledRecord[] p : pairs.values()) {
            assertNotNull(p[0], "a faithful answer");
            assertNotNull(p[1], "a hallucinated twin");
            assertEquals(p[0].context(), p[1].context());
            assertEquals(p[0].task(), p[1].task());
            assertEquals(1, p[1].spans().size(), p[1].id());
            LabeledRecord.Span edit = p[1].spans().get(0);
            String twin = p[1].response();
            assertEquals(edit.text(), twin.substring(edit.start(), edit.end()), p[1].id());
            // An added clause leaves its comma and space before the label.
            String before = twin.substring(0, edit.start()).replaceAll("[ ,]+$", "");
            assertTrue(p[0].response().startsWith(before) && p[0].response().endsWith(twin.substring(edit.end())),
                    "one edit, inside its label: " + p[1].id());
            tasks.add(p[1].task());
            edits.add(edit.labelType());
        }
        assertEquals(Set.of("Data2txt", "QA", "Summary"), tasks);
        assertEquals(Set.of("addition", "date", "entity", "negation", "number", "relation", "unit"), edits);
    }

    @Test
    void theShippedDetectorRanksThePairsAndLeavesTheFaithfulAnswersAlone() throws Exception {
        List<LabeledRecord> suite = suite();
        try (OnnxEncoder encoder = OnnxEncoder.open(EncoderSpec.of(EncoderSpec.DEFAULT_MODEL, "cpu", 2))) {
            RequestMonitor monitor = new RequestMonitor(encoder, Combiner.shipped(), MonitorConfig.defaults(), () -> 0L);
            Evaluation.PairReport pairs = Evaluation.report(Evaluation.run(suite, monitor, i -> { })).pairs();
            assertEquals(suite.size() / 2, pairs.pairs());
            // The targets where they are met; docs/evaluation.md has every figure, those not met among them.
            assertTrue(pairs.ranked() >= 0.9, "ranked " + pairs.ranked());
            assertTrue(pairs.faithfulAlerted() <= 0.1, "faithful answers alerted " + pairs.faithfulAlerted());
            assertTrue(pairs.twinsFlagged() > 3 * pairs.faithfulFlagged(), "twins flagged " + pairs.twinsFlagged()
                    + ", faithful " + pairs.faithfulFlagged());
        }
    }
}
