package io.groundstate.detectors.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The stored state's format number: today's states read, unknown formats refused, nothing misread. */
class RequestStateFormatTest {
    static RequestState sample() {
        RequestState s = new RequestState();
        s.requestId = "r-1";
        s.app = "app";
        s.response = "Paris is the capital of France.";
        s.duplicates = 2;
        s.cusum = 0.125;
        RequestState.SentenceRecord r = new RequestState.SentenceRecord();
        r.end = 31;
        r.features = new double[] {0.5, 0.25};
        s.sentences.add(r);
        return s;
    }

    @Test
    void aStateWrittenBeforeTheFormatFieldExistedReadsAsFormatOneAndLosesNothing() {
        String now = new String(sample().toBytes(), StandardCharsets.UTF_8);
        assertTrue(now.startsWith("{\"format\":1,"), now);
        String before = now.replace("\"format\":1,", ""); // the bytes a state of the previous release holds
        RequestState read = RequestState.fromBytes(before.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, read.format);
        assertEquals(now, new String(read.toBytes(), StandardCharsets.UTF_8), "every field back as it was");
    }

    @Test
    void aFormatThisVersionDoesNotReadIsRefusedNeverGuessed() {
        String newer = new String(sample().toBytes(), StandardCharsets.UTF_8).replace("\"format\":1,", "\"format\":2,");
        RequestState.UnreadableState e = assertThrows(RequestState.UnreadableState.class,
                () -> RequestState.fromBytes(newer.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("r-1 is in format 2") && e.getMessage().contains("reads format 1"),
                e.getMessage());
        assertThrows(RequestState.UnreadableState.class,
                () -> RequestState.fromBytes("{\"format\":0}".getBytes(StandardCharsets.UTF_8)));
        RequestState.UnreadableState corrupt = assertThrows(RequestState.UnreadableState.class,
                () -> RequestState.fromBytes("{not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(corrupt.getMessage().startsWith("corrupt request state"), corrupt.getMessage());
    }
}
