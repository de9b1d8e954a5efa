package io.secretless.cli;

import io.secretless.config.ListenAddress;
import picocli.CommandLine.Option;

/** {@code --admin-address HOST:PORT}: where a broker's /live, /ready and /metrics listen. */
final class AdminOption {
  @Option(
      names = "--admin-address",
      defaultValue = AdminAddress.DEFAULT,
      converter = AdminAddress.class,
      description =
          "the broker's admin address: /live, /ready, /metrics (default: ${DEFAULT-VALUE})")
  ListenAddress.Tcp address;
}
