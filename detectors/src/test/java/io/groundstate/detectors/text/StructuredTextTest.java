package io.groundstate.detectors.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StructuredTextTest {
    @Test
    void flattensPythonReprRecordsIntoStatements() {
        String rec = "{'name': 'Benchmark Eatery', 'attributes': {'OutdoorSeating': True, 'WiFi': 'free', "
                + "'BusinessParking': \"{'garage': False, 'lot': True}\"}, 'hours': {'Monday': '0:0-0:0'}}";
        assertEquals(String.join("\n", "name: Benchmark Eatery", "attributes Outdoor Seating: True",
                        "attributes Wi Fi: free", "attributes Business Parking garage: False; lot: True",
                        "hours Monday: 0:0-0:0"),
                StructuredText.toStatements(rec));
    }

    @Test
    void listsOfRecordsAndJson() {
        assertEquals("reviews stars: 5.0\nreviews text: Great food",
                StructuredText.toStatements("{\"reviews\": [{\"stars\": 5.0, \"text\": \"Great food\"}]}"));
    }

    @Test
    void proseAndBrokenRecordsPassThrough() {
        assertEquals("Just prose.", StructuredText.toStatements("Just prose."));
        assertEquals("{'a': 'unterminated", StructuredText.toStatements("{'a': 'unterminated"));
    }
}
