package io.secretless.cli;

import io.secretless.broker.Broker;
import io.secretless.broker.BrokerOptions;
import io.secretless.config.BrokerConfig;
import io.secretless.config.ConfigError;
import io.secretless.config.ConfigException;
import io.secretless.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code secretless config check -f FILE}. */
@Command(
    name = "config",
    description = "Work with secretless.yml.",
    mixinStandardHelpOptions = true,
    subcommands = ConfigCommand.Check.class)
final class ConfigCommand {

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Validate a secretless.yml (v2, v1 or the oauth2 list form).",
        "Prints every error as FILE:LINE:COL: message. Exit 0 when valid, 2 when not."
      })
  static final class Check implements Callable<Integer> {
    @Option(
        names = {"-f", "--file"},
        required = true,
        description = "the config file")
    Path file;

    @Override
    public Integer call() {
      try {
        BrokerConfig config = ConfigLoader.load(file);
        var connectors = BrokerOptions.defaults().connectors();
        List<ConfigError> errors = Broker.validate(config, connectors);
        config.warnings().forEach(w -> System.err.println("warning: " + w));
        Broker.unavailable(config, connectors)
            .forEach(w -> System.err.println("warning: " + w + "; the broker will not start it"));
        if (!errors.isEmpty()) {
          errors.forEach(System.err::println);
          return 2;
        }
        System.out.println(
            file + ": valid, " + config.services().size() + " service(s): " + names(config));
        return 0;
      } catch (ConfigException e) {
        e.errors().forEach(System.err::println);
        return 2;
      }
    }

    private static String names(BrokerConfig config) {
      return String.join(
          ", ",
          config.services().stream().map(s -> s.name() + " (" + s.connector() + ")").toList());
    }
  }
}
