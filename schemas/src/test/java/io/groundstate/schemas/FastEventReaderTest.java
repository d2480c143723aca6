package io.groundstate.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast reader decides nothing: whatever it reads, the tree path reads to an equal event; whatever the tree path
 * refuses, it declines. Checked on the schemas' events and on many mutations of them, valid and not.
 */
class FastEventReaderTest {
    /** Pieces that make a mutation interesting to a JSON reader: types, nesting, separators, escapes, limits. */
    private static final String[] PIECES = {"null", "true", "0", "-1", "1.5", "1e2", "3000000000", "9223372036854775808",
        "\"x\"", "\" \"", "\"2026-01-01T00:00:00Z\"", "[]", "[1]", "[null]", "{}", "{\"token\":\"t\",\"logprob\":-1}",
        ",", ":", "{", "}", "[", "]", "\"", "\\u00e9", "NaN", "\"kind\":\"token_delta\",", "\"extra\":1,",
        "\"request_id\":\"r2\",", "\"event_time\":5,", "\"index\":2,", "\"text\":\"y\",", "\"logprob\":null,",
        "\"attributes\":{\"a\":\"b\",\"a\":\"c\"},", " "};

    private static List<String> validTexts() {
        List<String> texts = new ArrayList<>();
        RoundTripTest.events().forEach(e -> texts.add(new String(EventCodec.toJsonBytes(e), StandardCharsets.UTF_8)));
        texts.add("{\"kind\":\"token_delta\",\"request_id\":\"r\",\"event_time\":\"2026-01-01T00:00:00.5Z\","
                + "\"index\":3,\"text\":\"a\"}");
        texts.add("{\"kind\":\"context_chunk\",\"event_time\":7,\"chunk_id\":\"c\",\"request_id\":\"r\",\"rank\":1,"
                + "\"embedding\":[1,2.5,-3e-2],\"text\":null}");
        return texts;
    }

    @Test
    void readsWhatTheWritersWriteAsTheTreePathDoes() {
        for (String text : validTexts()) {
            Event fast = FastEventReader.read(text);
            assertNotNull(fast, text); // the common case does take the fast path
            assertEquals(EventCodec.fromJsonTree(text), fast, text);
        }
    }

    @Test
    void declinesWhatTheTreePathRefusesAndAgreesOnTheRest() {
        Random random = new Random(7);
        List<String> valid = validTexts();
        int fastReads = 0;
        int refused = 0;
        for (int n = 0; n < 30_000; n++) {
            String text = valid.get(random.nextInt(valid.size()));
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                text = mutate(text, random);
            }
            Event fast = FastEventReader.read(text);
            Event tree;
            try {
                tree = EventCodec.fromJsonTree(text);
            } catch (SchemaException e) {
                refused++;
                if (fast != null) {
                    fail("read what the tree path refuses (" + e.getMessage() + "): " + text);
                }
                continue;
            }
            if (fast != null) {
                fastReads++;
                assertEquals(tree, fast, text);
            }
        }
        // Both outcomes were exercised, so the agreement above means something.
        assertTrue(fastReads > 1_000 && refused > 1_000, fastReads + " read fast, " + refused + " refused");
    }

    private static String mutate(String text, Random random) {
        int at = random.nextInt(text.length() + 1);
        switch (random.nextInt(4)) {
            case 0: // delete a few characters
                return text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(4)));
            case 1: // insert a piece
                return text.substring(0, at) + PIECES[random.nextInt(PIECES.length)] + text.substring(at);
            case 2: { // replace a value after a colon
                int colon = text.indexOf(':', at);
                if (colon < 0) {
                    return text;
                }
                int end = colon + 1;
                while (end < text.length() && ",}".indexOf(text.charAt(end)) < 0) {
                    end++;
                }
                return text.substring(0, colon + 1) + PIECES[random.nextInt(PIECES.length)] + text.substring(end);
            }
            default: // a field inserted after an opening brace or a comma
                int brace = Math.max(text.indexOf('{', at), text.indexOf(',', at));
                if (brace < 0) {
                    return text;
                }
                return text.substring(0, brace + 1) + PIECES[random.nextInt(PIECES.length)]
                        + text.substring(brace + 1);
        }
    }
}
