package io.secretless.warehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.warehouse.Caller;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Start-up and crash behaviour of a real warehouse process. */
class CrashRecoveryIT {
  @TempDir Path dir;
  StoreFixture store;

  @AfterEach
  void dropStore() {
    if (store != null) {
      store.close();
    }
  }

  private String initialise(StoreFixture fixture) {
    store = fixture;
    MasterKey.createKeyFile(dir.resolve("master.key"));
    var config =
        WarehouseConfig.defaults(dir)
            .withDatabase(store.databaseUrl())
            .withMasterKey(new MasterKeySource.KeyFile(dir.resolve("master.key")));
    try (var node = WarehouseNode.open(config, "http://127.0.0.1")) {
      return node.clients()
          .create("writer", Set.of(Caller.ADMIN_ROLE))
          .clientSecret()
          .revealString();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void everyAcknowledgedWriteSurvivesKillNine(String kind) throws Exception {
    String secret =
        initialise(kind.equals("sqlite") ? StoreFixture.sqlite() : StoreFixture.postgresql());
    var acked = new ConcurrentLinkedQueue<String>();
    var stop = new AtomicBoolean();
    try (var proc = WarehouseProcess.serve(dir, store.databaseUrl(), dir.resolve("serve-1.log"))) {
      var api = new TestApi(proc.baseUrl);
      String token = api.token("writer", secret);
      ExecutorService writers = Executors.newFixedThreadPool(4);
      for (int w = 0; w < 4; w++) {
        int worker = w;
        writers.submit(
            () -> {
              for (int i = 0; i < 2000 && !stop.get(); i++) {
                String name = "burst-" + worker + "-" + i;
                try {
                  if (api.post(
                              token,
                              "/v1/credentials",
                              Map.of("name", name, "data", Map.of("v", "Canary-Burst-" + name)))
                          .status()
                      == 201) {
                    acked.add(name);
                  }
                } catch (AssertionError connectionDropped) {
                  return;
                }
              }
            });
      }
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> acked.size() >= 60);
      proc.kill();
      stop.set(true);
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    try (var proc = WarehouseProcess.serve(dir, store.databaseUrl(), dir.resolve("serve-2.log"))) {
      var api = new TestApi(proc.baseUrl);
      String token = api.token("writer", secret);
      var names =
          api.get(token, "/v1/credentials").body().path("credentials").findValuesAsText("name");
      assertThat(names).containsAll(acked);
      String sample = acked.peek();
      assertThat(api.get(token, "/v1/credentials/" + sample).body().path("data").path("v").asText())
          .isEqualTo("Canary-Burst-" + sample);
      var verify = api.get(token, "/v1/audit/verify").body();
      assertThat(verify.path("valid").asBoolean()).as(verify.toString()).isTrue();
    }
    for (String log : List.of("serve-1.log", "serve-2.log")) {
      assertThat(Files.readString(dir.resolve(log))).doesNotContain("Canary-Burst");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void wrongMasterKeyStopsStartUpClearlyAndChangesNothing(String kind) throws Exception {
    initialise(kind.equals("sqlite") ? StoreFixture.sqlite() : StoreFixture.postgresql());
    String before = snapshot();
    Path wrong = dir.resolve("wrong.key");
    MasterKey.createKeyFile(wrong);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "serve",
                "--data-dir",
                dir.toString(),
                "--listen",
                "127.0.0.1:" + WarehouseProcess.freePort(),
                "--master-key-file",
                wrong.toString()));
    store.databaseUrl().ifPresent(url -> args.addAll(List.of("--database", url)));
    var result = WarehouseProcess.run(dir.resolve("wrong.log"), args.toArray(String[]::new));
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output()).contains("wrong master key").doesNotContain("\tat ");
    assertThat(snapshot()).isEqualTo(before);
  }

  /** The database file's digest (SQLite) or every row that matters (PostgreSQL). */
  private String snapshot() throws Exception {
    if (store instanceof StoreFixture.Sqlite) {
      return digest(dir.resolve("warehouse.db"));
    }
    var out = new StringBuilder();
    try (var c = StoreFixture.connect(store, dir);
        var s = c.createStatement()) {
      for (String q :
          List.of(
              "SELECT name, material FROM key_material ORDER BY name",
              "SELECT id, secret_hash FROM agents ORDER BY id",
              "SELECT seq, hash FROM audit_head",
              "SELECT COUNT(*) FROM audit_log")) {
        try (var rs = s.executeQuery(q)) {
          while (rs.next()) {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              out.append(rs.getString(i)).append('|');
            }
          }
        }
      }
    }
    return out.toString();
  }

  private static String digest(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
