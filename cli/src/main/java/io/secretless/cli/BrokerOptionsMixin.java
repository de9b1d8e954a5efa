package io.secretless.cli;

import io.secretless.config.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every command that starts a broker shares. */
final class BrokerOptionsMixin {
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

  @Option(
      names = "--shutdown-grace",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "how long open connections may finish on stop (default: ${DEFAULT-VALUE})")
  Duration grace;
}
