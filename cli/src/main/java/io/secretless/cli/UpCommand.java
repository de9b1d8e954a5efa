package io.secretless.cli;

import io.secretless.core.SecretlessException;
import io.secretless.credentials.WarehouseSettings;
import io.secretless.warehouse.cli.WarehouseCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
      "Run the all-in-one on embedded defaults: the warehouse (SQLite under --data-dir, API on",
      "127.0.0.1:8200) and the broker on ./secretless.yml, or on the embedded example written to",
      "DATA_DIR/secretless.yml when there is none. Stop with Ctrl-C."
    })
final class UpCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(UpCommand.class);

  @Option(
      names = "--data-dir",
      defaultValue = ".secretless",
      description = "where state lives (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Mixin BrokerOptionsMixin broker;

  @Option(names = "--no-warehouse", description = "run the broker only")
  boolean noWarehouse;

  @Override
  public Integer call() throws Exception {
    if (!noWarehouse) {
      startWarehouse();
      useAdminClientForWarehouseProvider();
    }
    Path config = broker.file;
    if (!Files.exists(config)) {
      config = dataDir.resolve("secretless.yml");
      if (!Files.exists(config)) {
        writeExample(config);
        log.info(
            "no ./secretless.yml: wrote the embedded example to {}; edit it to add services",
            config);
      }
    }
    BrokerRun run = BrokerRun.start(config, Optional.of(broker.admin.address), broker.grace);
    run.stopOnSignals(() -> {});
    run.awaitStop();
    return 0;
  }

  /**
   * {@code warehouse init} (idempotent: creates the master key, store and admin client once), then
   * {@code warehouse serve} on a thread of its own; it stops with the process.
   */
  private void startWarehouse() throws InterruptedException {
    String dir = dataDir.toString();
    CommandLine warehouse = new CommandLine(new WarehouseCommand());
    if (warehouse.execute("init", "--data-dir", dir) != 0) {
      throw new SecretlessException("warehouse init failed (see above)");
    }
    var serving = new java.util.concurrent.CountDownLatch(1);
    var code = new java.util.concurrent.atomic.AtomicInteger(-1);
    Thread.ofPlatform()
        .name("warehouse")
        .daemon()
        .start(
            () -> {
              code.set(new CommandLine(new WarehouseCommand()).execute("serve", "--data-dir", dir));
              serving.countDown();
            });
    // serve only returns early when it could not start
    if (serving.await(3, java.util.concurrent.TimeUnit.SECONDS) && code.get() != 0) {
      throw new SecretlessException("the warehouse did not start (see above)");
    }
  }

  /**
   * Unless the environment names a client for {@code from: warehouse}, the broker uses the admin
   * client {@code warehouse init} wrote (a system property, which {@link WarehouseSettings} reads
   * after the environment). Fine for the all-in-one on one machine; a real broker gets a client of
   * its own with read grants on just its credentials.
   */
  private void useAdminClientForWarehouseProvider() {
    if (System.getenv(WarehouseSettings.CLIENT_ID) == null
        && System.getenv(WarehouseSettings.CLIENT_FILE) == null) {
      Path file = dataDir.resolve("admin-client.json").toAbsolutePath();
      System.setProperty(WarehouseSettings.CLIENT_FILE, file.toString());
    }
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
