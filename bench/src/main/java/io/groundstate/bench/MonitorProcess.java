package io.groundstate.bench;

import io.groundstate.detectors.vec.Vectors;
import io.groundstate.streams.cli.GroundstateCommand;
import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** A monitor in its own JVM, started as a deployment starts it: {@code groundstate run --config FILE}, its own heap. */
final class MonitorProcess {
    private MonitorProcess() {
    }

    /** The tuning's settings with the chosen encoder, and the metrics endpoint on a free port a scraper can find. */
    static Map<String, Object> overrides(StreamingBench.Tuning tuning, ModelChoice choice) throws IOException {
        Map<String, Object> m = new HashMap<>(tuning.overrides());
        m.put(GroundstateConfig.ENCODER_MODEL, choice.model);
        m.put(GroundstateConfig.ENCODER_DEVICE, choice.device);
        m.put(GroundstateConfig.METRICS_ADDRESS, "127.0.0.1:" + EmbeddedKafka.freePort());
        return m;
    }

    /** Writes {@code settings} as the properties file a deployment would hold. */
    static Path writeConfig(Path file, Map<String, Object> settings, String comment) throws IOException {
        Properties props = new Properties();
        settings.forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        try (var w = Files.newBufferedWriter(file)) {
            props.store(w, comment);
        }
        return file;
    }

    /** Starts the monitor on {@code config}, its output appended to {@code log}. */
    static Process start(Path config, String heap, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError"));
        if (Vectors.vectorModuleLoaded()) {
            // the SIMD dot products where this JVM has them (bin/groundstate adds the module where it exists)
            command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GroundstateCommand.class.getName(),
                "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        return pb.start();
    }
}
