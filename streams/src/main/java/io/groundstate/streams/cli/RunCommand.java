package io.groundstate.streams.cli;

import io.groundstate.streams.config.GroundstateConfig;
import io.groundstate.streams.kafka.MonitorApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the streaming monitor until stopped (SIGINT or SIGTERM).",
                "Without bootstrap.servers it starts an embedded single-node broker.",
                "Settings: docs/configuration.md; Kafka client settings (SASL, TLS, ...) pass through;",
                "${env:NAME} in a value reads an environment variable."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", description = "A properties file of groundstate and Kafka settings.")
    Path config;

    @Override
    public Integer call() throws Exception {
        GroundstateConfig c = config == null ? GroundstateConfig.defaults() : GroundstateConfig.load(config, System::getenv);
        MonitorApp app = MonitorApp.start(c, Duration.ofMinutes(5));
        Thread hook = new Thread(app::close, "groundstate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int port = app.observability().port();
        System.err.println("groundstate: running against " + app.bootstrapServers()
                + (port < 0 ? "" : "; metrics and health on port " + port) + "; Ctrl-C stops");
        Throwable failure = app.awaitStop();
        if (failure != null) {
            System.err.println("groundstate: stopped after a fatal error: " + failure);
            return 1;
        }
        return 0;
    }
}
