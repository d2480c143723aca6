package io.groundstate.detectors.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.groundstate.detectors.text.ContentToken;
import io.groundstate.detectors.text.Lexicon;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordPolarityTest {
    static final String RECORD = "{'name': 'Blue Door', 'attributes': {'OutdoorSeating': False, 'WiFi': 'free', "
            + "'RestaurantsReservations': True, 'RestaurantsTakeOut': True, 'RestaurantsDelivery': False, "
            + "'BusinessParking': \"{'garage': False, 'street': True}\", 'Ambience': \"{'trendy': False, 'casual': True}\"}}";
    final RecordPolarity record = RecordPolarity.of(List.of(RECORD));

    List<String> conflicts(String sentence) {
        return record.conflicts(sentence, Lexicon.contentTokens(sentence)).stream().map(ContentToken::surface).toList();
    }

    @Test
    void anAttributeStatedAgainstTheRecordIsAConflict() {
        assertEquals(List.of("outdoor", "seating"), conflicts("Guests can enjoy outdoor seating on the patio."));
        assertEquals(List.of("trendy"), conflicts("The atmosphere is trendy and casual."));
        assertEquals(List.of("WiFi"), conflicts("There is no WiFi."));
        assertEquals(List.of("street"), conflicts("It has no street parking."));
        assertEquals(List.of("Reservations"), conflicts("Reservations are not accepted."));
    }

    @Test
    void agreeingStatementsAreNotConflicts() {
        assertEquals(List.of(), conflicts("There is no outdoor seating."));
        assertEquals(List.of(), conflicts("Outdoor seating is not offered."));
        assertEquals(List.of(), conflicts("They offer free WiFi and accept reservations."));
        assertEquals(List.of(), conflicts("Parking is available on the street but not in a garage."));
    }

    @Test
    void wordsSharedByManyKeysDoNotNameAnAttribute() {
        // "restaurants" appears in three keys, so it alone does not mention Delivery.
        assertEquals(List.of(), conflicts("Like other restaurants nearby it is busy."));
        assertEquals(List.of("delivery"), conflicts("They also offer delivery."));
    }

    @Test
    void proseHasNoAttributes() {
        assertTrue(RecordPolarity.of(List.of("Just a passage of prose.")).isEmpty());
    }
}
