package io.groundstate.detectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SentenceSegmenterTest {
    static final String TEXT = "Dr. Smith paid $3.50 in the U.S. yesterday. It rose 2.5% in Jan. 2024! "
            + "Was it J. R. R. Tolkien? Yes.\nThe list:\n- one item\n- another item.";

    static List<String> texts(List<Sentence> ss) {
        return ss.stream().map(Sentence::text).toList();
    }

    @Test
    void splitsOnRealBoundariesOnly() {
        List<Sentence> ss = SentenceSegmenter.split(TEXT);
        assertEquals(List.of("Dr. Smith paid $3.50 in the U.S. yesterday.", "It rose 2.5% in Jan. 2024!",
                "Was it J. R. R. Tolkien?", "Yes.", "The list:", "- one item", "- another item."), texts(ss));
    }

    @Test
    void aNumberedListItemIsOneSentenceWithItsNumber() {
        String list = "Here are the steps:\n\n1. Tap on Storage.\n2. Tap on Reset phone.\n10. Wait. It ends at 5.\nDone.";
        assertEquals(List.of("Here are the steps:", "1. Tap on Storage.", "2. Tap on Reset phone.", "10. Wait.",
                "It ends at 5.", "Done."), SentenceSegmenter.split(list).stream().map(Sentence::text).toList());
        // split into deltas anywhere, the list markers still stay with their items
        SentenceSegmenter seg = new SentenceSegmenter();
        List<String> got = new java.util.ArrayList<>();
        for (int i = 0; i < list.length(); i += 2) {
            seg.append(list.substring(i, Math.min(list.length(), i + 2))).forEach(s -> got.add(s.text()));
        }
        seg.flush().forEach(s -> got.add(s.text()));
        assertEquals(SentenceSegmenter.split(list).stream().map(Sentence::text).toList(), got);
    }

    @Test
    void offsetsPointIntoTheText() {
        for (Sentence s : SentenceSegmenter.split(TEXT)) {
            assertEquals(s.text(), TEXT.substring(s.start(), s.end()));
        }
    }

    @Test
    void anySplitIntoDeltasGivesTheSameSentences() {
        List<Sentence> whole = SentenceSegmenter.split(TEXT);
        SplittableRandom random = new SplittableRandom(1);
        for (int trial = 0; trial < 200; trial++) {
            SentenceSegmenter seg = new SentenceSegmenter();
            List<Sentence> got = new ArrayList<>();
            int i = 0;
            while (i < TEXT.length()) {
                int j = Math.min(TEXT.length(), i + 1 + random.nextInt(6)); // splits words, numbers, "U.S."
                got.addAll(seg.append(TEXT.substring(i, j)));
                i = j;
            }
            got.addAll(seg.flush());
            assertEquals(whole, got);
        }
    }

    @Test
    void waitsForTheNextDeltaBeforeDecidingAPeriod() {
        SentenceSegmenter seg = new SentenceSegmenter();
        assertEquals(List.of(), seg.append("It cost 3."));
        assertEquals(List.of(), seg.append("5 dollars. "));
        assertEquals(List.of("It cost 3.5 dollars."), texts(seg.append("Then")));
        assertEquals(List.of("Then"), texts(seg.flush()));
    }

    @Test
    void lowercaseAfterAPeriodContinuesTheSentence() {
        assertEquals(List.of("It is approx. ten metres long, e.g. a bus."),
                texts(SentenceSegmenter.split("It is approx. ten metres long, e.g. a bus.")));
    }

    @Test
    void veryLongRunsAreCutAtAWordBoundary() {
        String s = "word ".repeat(300);
        List<Sentence> ss = new SentenceSegmenter(100).append(s);
        assertEquals(true, ss.size() >= 10);
        ss.forEach(x -> assertEquals(true, x.text().length() <= 100));
    }

    @Test
    void resumeContinuesWhereItStopped() {
        SentenceSegmenter a = new SentenceSegmenter();
        List<Sentence> first = a.append("One here. Two ");
        SentenceSegmenter b = SentenceSegmenter.resume(a.text(), a.committed(), a.nextIndex(), 800);
        List<Sentence> rest = new ArrayList<>(b.append("there. Three"));
        rest.addAll(b.flush());
        assertEquals(List.of("One here."), texts(first));
        assertEquals(List.of("Two there.", "Three"), texts(rest));
        assertEquals(List.of(1, 2), rest.stream().map(Sentence::index).toList());
    }
}
