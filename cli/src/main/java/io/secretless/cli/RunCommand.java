package io.secretless.cli;

import io.secretless.core.SecretlessException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code secretless run -f FILE -- CMD ARGS}: starts the broker, waits until it is ready, runs the
 * command, and stops the broker when the command exits, exiting with the command's code.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Start the broker, wait until ready, run a command, stop the broker when it exits.",
      "Exits with the command's exit code. SIGTERM/SIGINT go to the command first."
    })
final class RunCommand implements Callable<Integer> {
  @Mixin BrokerOptionsMixin broker;

  @Option(
      names = "--ready-timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "how long to wait for readiness (default: ${DEFAULT-VALUE})")
  Duration readyTimeout;

  @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "the command to run, after --")
  List<String> command;

  @Override
  public Integer call() throws Exception {
    BrokerRun run = BrokerRun.start(broker.file, Optional.of(broker.admin.address), broker.grace);
    try {
      Optional<String> notReady = run.broker().awaitReady(readyTimeout);
      if (notReady.isPresent()) {
        throw new SecretlessException(
            "broker not ready after " + readyTimeout.toSeconds() + " s: " + notReady.get());
      }
      Process child;
      try {
        child = new ProcessBuilder(command).inheritIO().start();
      } catch (IOException e) {
        throw new SecretlessException("cannot start " + command.getFirst() + ": " + e.getMessage());
      }
      run.stopOnSignals(child::destroy);
      return child.waitFor();
    } finally {
      run.stop();
    }
  }
}
