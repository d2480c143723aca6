package io.groundstate.streams.cli;

/**
 * A picocli command from a module this one cannot depend on (the benchmarks, which bring the peers' code),
 * found with {@link java.util.ServiceLoader} and added as a subcommand of {@code groundstate} when it is on the
 * class path. The implementing class carries the {@code @Command} annotation.
 */
public interface CommandPlugin {
}
