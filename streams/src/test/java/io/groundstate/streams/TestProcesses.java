package io.groundstate.streams;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The real tools the tests run (Debian's kcat, promtool, Prometheus, Chromium), and child processes. */
public final class TestProcesses {
    private TestProcesses() {
    }

    /** The path of a Debian tool, or a skipped test; in CI (GROUNDSTATE_REQUIRE_REAL_CLIENTS=1) a failure instead. */
    public static Path debianTool(String name, String debianPackage) {
        Path p = Path.of("/usr/bin", name);
        requireOrSkip(Files.isExecutable(p), name, debianPackage);
        return p;
    }

    /** Skips the test when a tool is missing, or fails it in CI, where .ci/run installs the package. */
    public static void requireOrSkip(boolean present, String what, String debianPackages) {
        if (!present && "1".equals(System.getenv("GROUNDSTATE_REQUIRE_REAL_CLIENTS"))) {
            fail(what + " is required: apt-get install --no-install-recommends " + debianPackages);
        }
        Assumptions.assumeTrue(present, what + " missing: apt-get install " + debianPackages);
    }

    public record Result(int exitCode, String output) {
    }

    /** Runs a command to its end, stdout and stderr together; fails the test when it outlasts the timeout. */
    public static Result run(List<String> command, byte[] stdin, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream s = p.getInputStream()) {
                s.transferTo(out);
            } catch (IOException e) {
                // the process went away; what was read is kept
            }
        });
        reader.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish in " + timeout);
        }
        reader.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
