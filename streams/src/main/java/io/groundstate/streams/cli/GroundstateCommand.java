package io.groundstate.streams.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** groundstate: the command line. */
@Command(name = "groundstate", mixinStandardHelpOptions = true, versionProvider = GroundstateCommand.Version.class,
        description = "Streaming hallucination monitor for LLM and RAG applications.",
        subcommands = {DemoCommand.class, RunCommand.class, ReplayCommand.class, SimulateCommand.class, ScoreCommand.class,
                EvalCommand.class, CalibrateCommand.class,
                ConfigDocsCommand.class,
                CommandLine.HelpCommand.class})
public final class GroundstateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Exit codes: 0 success, 1 failure at run time (unreadable input, model error), 2 unusable arguments. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new GroundstateCommand());
        for (CommandPlugin plugin : java.util.ServiceLoader.load(CommandPlugin.class)) {
            cli.addSubcommand(plugin);
        }
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof org.apache.kafka.common.config.ConfigException) {
                cmd.getErr().println("groundstate: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof java.nio.file.NoSuchFileException) {
                cmd.getErr().println("groundstate: no such file: " + ex.getMessage());
                return 1;
            }
            if (ex.getMessage() == null) {
                // no message to show: a bug, so the trace is what helps
                cmd.getErr().println("groundstate: unexpected " + ex);
                ex.printStackTrace(cmd.getErr());
                return 1;
            }
            cmd.getErr().println("groundstate: " + ex.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GroundstateCommand.class.getPackage().getImplementationVersion();
            return new String[] {"groundstate " + (v == null ? "dev" : v)};
        }
    }
}
