package io.groundstate.streams.cli;

import io.groundstate.streams.config.GroundstateConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "config-docs", mixinStandardHelpOptions = true,
        description = "Prints docs/configuration.md, generated from the setting definitions.")
public final class ConfigDocsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.print(GroundstateConfig.markdown());
        return 0;
    }
}
