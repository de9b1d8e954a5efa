package io.secretless.cli;

import io.secretless.config.ListenAddress;
import io.secretless.core.SecretlessException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code secretless up}: the all-in-one on embedded defaults. Uses ./secretless.yml when present,
 * otherwise writes the embedded example to {@code DATA_DIR/secretless.yml} and runs the broker on
 * it.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Run the all-in-one on embedded defaults: the broker on ./secretless.yml, or on the",
      "embedded example written to .secretless/secretless.yml when there is none."
    })
final class UpCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(UpCommand.class);

  @Option(
      names = "--data-dir",
      defaultValue = ".secretless",
      description = "where state lives (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(
      names = "--admin-address",
      defaultValue = AdminAddress.DEFAULT,
      converter = AdminAddress.class,
      description = "where /live, /ready, /metrics listen (default: ${DEFAULT-VALUE})")
  ListenAddress.Tcp admin;

  @Override
  public Integer call() throws Exception {
    Path config = Path.of("secretless.yml");
    if (!Files.exists(config)) {
      config = dataDir.resolve("secretless.yml");
      if (!Files.exists(config)) {
        writeExample(config);
        log.info(
            "no ./secretless.yml: wrote the embedded example to {}; edit it to add services",
            config);
      }
    }
    BrokerRun run = BrokerRun.start(config, Optional.of(admin), Duration.ofSeconds(30));
    run.stopOnSignals(() -> {});
    run.awaitStop();
    return 0;
  }

  private static void writeExample(Path target) {
    try (InputStream in = UpCommand.class.getResourceAsStream("/up/secretless.yml")) {
      if (in == null) {
        throw new SecretlessException("the embedded example config is missing from this build");
      }
      Files.createDirectories(target.toAbsolutePath().getParent());
      Files.copy(in, target);
    } catch (IOException e) {
      throw new SecretlessException("cannot write " + target + ": " + e.getMessage());
    }
  }
}
