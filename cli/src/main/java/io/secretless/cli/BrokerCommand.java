package io.secretless.cli;

import io.secretless.config.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code secretless broker -f FILE}: the broker in the foreground. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run the broker in the foreground.",
      "SIGTERM/SIGINT: stop accepting, let open connections finish (--shutdown-grace), exit 0."
    })
final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      defaultValue = "secretless.yml",
      description = "config file (default: ${DEFAULT-VALUE})")
  Path file;

  @Option(
      names = "--admin-address",
      defaultValue = AdminAddress.DEFAULT,
      converter = AdminAddress.class,
      description = "where /live, /ready, /metrics listen (default: ${DEFAULT-VALUE})")
  ListenAddress.Tcp admin;

  @Option(names = "--no-admin", description = "do not start the admin listener")
  boolean noAdmin;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "how long open connections may finish on stop (default: ${DEFAULT-VALUE})")
  Duration grace;

  @Override
  public Integer call() throws Exception {
    BrokerRun run = BrokerRun.start(file, noAdmin ? Optional.empty() : Optional.of(admin), grace);
    run.stopOnSignals(() -> {});
    run.awaitStop();
    return 0;
  }
}
