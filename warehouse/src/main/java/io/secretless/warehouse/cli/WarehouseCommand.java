package io.secretless.warehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretless.core.SecretlessException;
import io.secretless.warehouse.Caller;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import io.secretless.warehouse.token.ClientRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code secretless warehouse init|serve|rotate-key|rewrap|stats}. */
@Command(
    name = "warehouse",
    description = "Run and administer the credential warehouse.",
    mixinStandardHelpOptions = true,
    subcommands = {
      WarehouseCommand.Init.class,
      WarehouseCommand.Serve.class,
      WarehouseCommand.RotateKey.class,
      WarehouseCommand.Rewrap.class,
      WarehouseCommand.Stats.class
    })
public final class WarehouseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  static int fail(CommandSpec spec, SecretlessException e) {
    spec.commandLine().getErr().println("error: " + e.getMessage());
    spec.commandLine().getErr().flush();
    return 1;
  }

  @Command(
      name = "init",
      description =
          "Create the master key file (mode 0600), the store, and an admin agent whose client"
              + " credentials go to DATA_DIR/"
              + ClientOptions.ADMIN_FILE
              + " (mode 0600).")
  static final class Init implements Callable<Integer> {
    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try {
        WarehouseConfig config = server.config();
        Path keyFile = server.masterKeyPath();
        if (config.masterKey() instanceof MasterKeySource.KeyFile && !Files.exists(keyFile)) {
          MasterKey.createKeyFile(keyFile);
          spec.commandLine().getOut().println("master key written to " + keyFile + " (mode 0600)");
        }
        Path adminFile = config.dataDir().resolve(ClientOptions.ADMIN_FILE);
        try (var node = WarehouseNode.open(config, config.baseUrl(config.port()))) {
          if (node.clients().find("admin").isPresent()) {
            spec.commandLine()
                .getOut()
                .println("warehouse already initialised (" + node.database().description() + ")");
            return 0;
          }
          ClientRegistry.Registration reg =
              node.clients().create("admin", Set.of(Caller.ADMIN_ROLE));
          writeAdminFile(adminFile, reg, config.baseUrl(config.port()));
          spec.commandLine()
              .getOut()
              .println(
                  "warehouse initialised ("
                      + node.database().description()
                      + "); admin client"
                      + " credentials written to "
                      + adminFile
                      + " (mode 0600)");
        }
        spec.commandLine().getOut().flush();
        return 0;
      } catch (SecretlessException e) {
        return fail(spec, e);
      }
    }

    private static void writeAdminFile(Path file, ClientRegistry.Registration reg, String url) {
      var json = new LinkedHashMap<String, String>();
      json.put("client_id", reg.agent().id());
      json.put("client_secret", reg.clientSecret().revealString());
      json.put("url", url);
      try {
        Files.deleteIfExists(file);
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
      } catch (IOException e) {
        throw new CliException("cannot write " + file + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "serve", description = "Serve the warehouse API until stopped.")
  static final class Serve implements Callable<Integer> {
    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      WarehouseNode node;
      ApiServer api;
      try {
        WarehouseConfig config = server.config();
        node = WarehouseNode.open(config, config.baseUrl(config.port()));
        try {
          api = ApiServer.start(node, config);
        } catch (RuntimeException e) {
          node.close();
          throw new CliException("cannot serve on " + server.listen + ": " + e.getMessage());
        }
      } catch (SecretlessException e) {
        return fail(spec, e);
      }
      spec.commandLine().getOut().println("warehouse listening on " + api.baseUrl());
      spec.commandLine().getOut().flush();
      var stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    api.close();
                    node.close();
                    stopped.countDown();
                  }));
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
  }

  @Command(
      name = "rotate-key",
      description = "Add a new key-encryption key (online; old data still decrypts).")
  static final class RotateKey extends ApiCommand {
    @Override
    int run(ApiClient api) {
      JsonNode r = api.post("/v1/keys/rotate", java.util.Map.of());
      out()
          .printf(
              "new primary key-encryption key %s (%d keys in the keyset)%n",
              r.path("primary_key_id").asText(), r.path("keys").asInt());
      return 0;
    }
  }

  @Command(
      name = "rewrap",
      description = "Re-encrypt every stored version under the current key-encryption key.")
  static final class Rewrap extends ApiCommand {
    @Override
    int run(ApiClient api) {
      JsonNode r = api.post("/v1/keys/rewrap", java.util.Map.of());
      out()
          .printf(
              "re-wrapped %d versions under key %s%n",
              r.path("rewrapped").asInt(), r.path("primary_key_id").asText());
      return 0;
    }
  }

  @Command(name = "stats", description = "Statistics: totals by type, accesses, audit records.")
  static final class Stats extends ApiCommand {
    @Override
    int run(ApiClient api) {
      JsonNode s = api.get("/v1/stats");
      out().printf("credentials:         %d%n", s.path("total_credentials").asLong());
      s.path("by_type")
          .fields()
          .forEachRemaining(e -> out().printf("  %-24s %d%n", e.getKey(), e.getValue().asLong()));
      out().printf("expired:             %d%n", s.path("expired").asLong());
      out().printf("total accesses:      %d%n", s.path("total_accesses").asLong());
      out().printf("audit records:       %d%n", s.path("audit_records").asLong());
      out().printf("key-encryption keys: %d%n", s.path("key_encryption_keys").asInt());
      return 0;
    }
  }
}
