package io.groundstate.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static member's id: made once per state directory and application, then the same at every start. */
class InstanceIdentityTest {
    @Test
    void theSameStateDirectoryGivesTheSameIdAndAnotherGivesAnother(@TempDir Path dir) throws Exception {
        String first = InstanceIdentity.of(dir.resolve("a"), "app");
        assertTrue(first.matches("groundstate-[0-9a-f-]{36}"), first);
        assertEquals(first, InstanceIdentity.of(dir.resolve("a"), "app"), "a restart on the same state rejoins as itself");
        assertEquals(first + "\n", Files.readString(dir.resolve("a").resolve("app").resolve(InstanceIdentity.FILE)));
        assertNotEquals(first, InstanceIdentity.of(dir.resolve("b"), "app"), "another state directory, another member");
        assertNotEquals(first, InstanceIdentity.of(dir.resolve("a"), "other-app"), "another application, another member");
    }

    @Test
    void aDamagedIdFileIsAClearErrorNotAnIdOfGarbage(@TempDir Path dir) throws Exception {
        Path file = Files.createDirectories(dir.resolve("app")).resolve(InstanceIdentity.FILE);
        Files.writeString(file, "not an id: spaces and colons\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InstanceIdentity.of(dir, "app"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("delete it"), e.getMessage());
        Files.writeString(file, "");
        assertThrows(IllegalStateException.class, () -> InstanceIdentity.of(dir, "app"));
        Files.writeString(file, "kept-by-hand.1\n");
        assertEquals("kept-by-hand.1", InstanceIdentity.of(dir, "app"));
    }
}
