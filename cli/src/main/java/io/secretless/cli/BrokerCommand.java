package io.secretless.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
  @Mixin BrokerOptionsMixin broker;

  @Option(names = "--no-admin", description = "do not start the admin listener")
  boolean noAdmin;

  @Override
  public Integer call() throws Exception {
    BrokerRun run =
        BrokerRun.start(
            broker.file,
            noAdmin ? Optional.empty() : Optional.of(broker.admin.address),
            broker.grace);
    run.stopOnSignals(() -> {});
    run.awaitStop();
    return 0;
  }
}
