package io.secretless.cli;

import io.secretless.core.SecretlessException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code secretless} command. */
@Command(
    name = "secretless",
    mixinStandardHelpOptions = true,
    version = "secretless 0.1.0",
    description = "Applications connect without secrets; the broker adds them.",
    subcommands = {
      BrokerCommand.class,
      ConfigCommand.class,
      WaitReadyCommand.class,
      RunCommand.class,
      UpCommand.class,
    })
public final class Main {
  @Option(
      names = "--log-format",
      scope = ScopeType.INHERIT,
      defaultValue = "text",
      description = "text (default) or json (one JSON object per line)")
  String logFormat;

  @Option(
      names = "--log-level",
      scope = ScopeType.INHERIT,
      defaultValue = "info",
      description = "error, warn, info (default), debug")
  String logLevel;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String... args) {
    Main main = new Main();
    CommandLine cmd = new CommandLine(main);
    for (Object extra : extraCommands()) {
      cmd.addSubcommand(extra);
    }
    cmd.setExecutionStrategy(
        parsed -> {
          if (!List.of("text", "json").contains(main.logFormat)) {
            throw new CommandLine.ParameterException(
                cmd, "--log-format must be text or json, got " + main.logFormat);
          }
          Logging.configure(main.logFormat, main.logLevel);
          return new CommandLine.RunLast().execute(parsed);
        });
    cmd.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          if (e instanceof SecretlessException) {
            command.getErr().println("secretless: " + e.getMessage());
            return 1;
          }
          command.getErr().println("secretless: internal error: " + e);
          org.slf4j.LoggerFactory.getLogger(Main.class).debug("internal error", e);
          return 1;
        });
    return cmd.execute(args);
  }

  /** Commands contributed by other modules: warehouse, cred, audit, agent. */
  private static List<Object> extraCommands() {
    return io.secretless.warehouse.cli.WarehouseCli.commands();
  }
}
