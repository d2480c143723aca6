package io.groundstate.streams.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A static member's {@code group.instance.id}, made once and kept in the state directory: the same state, the same
 * member. A restarted instance then rejoins under its old id and the coordinator hands it its tasks at once; a
 * dynamic member would wait for its dead predecessor's session to expire first (45 s by Kafka's default, most of a
 * minute-long recovery, measured). Kafka Streams locks a state directory to one process, so no two live instances
 * can read the same id; a copied state directory would (the newer member fences the older).
 */
final class InstanceIdentity {
    static final String FILE = "groundstate-instance.id";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private InstanceIdentity() {
    }

    /** The id kept under {@code stateDir/applicationId}, made there first when there is none. */
    static String of(Path stateDir, String applicationId) {
        Path file = stateDir.resolve(applicationId).resolve(FILE);
        try {
            Files.createDirectories(file.getParent());
            String made = "groundstate-" + UUID.randomUUID();
            try {
                Files.writeString(file, made + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return made;
            } catch (FileAlreadyExistsException kept) {
                String id = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!VALID.matcher(id).matches()) {
                    throw new IllegalStateException(file + " does not hold a usable group.instance.id (" + id.length()
                            + " characters; expected letters, digits, '.', '_' or '-'): delete it to make a new one");
                }
                return id;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the instance id in " + file, e);
        }
    }
}
