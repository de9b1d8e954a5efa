package io.secretless.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every command that starts a broker shares. */
final class BrokerOptionsMixin {
  @Option(
      names = {"-f", "--file"},
      defaultValue = "secretless.yml",
      description = "config file (default: ${DEFAULT-VALUE})")
  Path file;

  @Mixin AdminOption admin;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "how long open connections may finish on stop (default: ${DEFAULT-VALUE})")
  Duration grace;
}
