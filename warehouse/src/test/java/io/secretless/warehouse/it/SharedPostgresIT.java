package io.secretless.warehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.warehouse.Caller;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two warehouse nodes sharing one PostgreSQL database stay consistent. */
class SharedPostgresIT {
  @TempDir Path dir;
  StoreFixture.Postgres store;
  final List<AutoCloseable> open = new ArrayList<>();
  TestApi nodeA;
  TestApi nodeB;
  String tokenA;
  String tokenB;

  @BeforeEach
  void start() {
    store = (StoreFixture.Postgres) StoreFixture.postgresql();
    MasterKey.createKeyFile(dir.resolve("master.key"));
    var config =
        WarehouseConfig.defaults(dir)
            .withDatabase(store.databaseUrl())
            .withListen("127.0.0.1", 0)
            .withMasterKey(new MasterKeySource.KeyFile(dir.resolve("master.key")))
            .withTokens(
                java.time.Duration.ofMinutes(5),
                java.util.Optional.of("https://warehouse.test"),
                true,
                List.of());
    WarehouseNode a = WarehouseNode.open(config, "unused");
    WarehouseNode b = WarehouseNode.open(config, "unused");
    ApiServer sa = ApiServer.start(a, config);
    ApiServer sb = ApiServer.start(b, config);
    open.addAll(List.of(sa, sb, a, b));
    nodeA = new TestApi(sa.baseUrl());
    nodeB = new TestApi(sb.baseUrl());
    var reg = a.clients().create("svc", Set.of(Caller.ADMIN_ROLE));
    tokenA = nodeA.token("svc", reg.clientSecret().revealString());
    // Same issuer and signing key on both nodes: a token from one is accepted by the other.
    tokenB = tokenA;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    store.close();
  }

  @Test
  void rotationThroughOneNodeIsReadThroughTheOther() {
    assertThat(
            nodeA
                .post(
                    tokenA,
                    "/v1/credentials",
                    Map.of("name", "shared", "data", Map.of("password", "one")))
                .status())
        .isEqualTo(201);
    assertThat(
            nodeB
                .get(tokenB, "/v1/credentials/shared")
                .body()
                .path("data")
                .path("password")
                .asText())
        .isEqualTo("one");
    assertThat(
            nodeA
                .post(
                    tokenA,
                    "/v1/credentials/shared/rotate",
                    Map.of("data", Map.of("password", "two"), "expected_version", 1))
                .status())
        .isEqualTo(200);
    var read = nodeB.get(tokenB, "/v1/credentials/shared").body();
    assertThat(read.path("version").asInt()).isEqualTo(2);
    assertThat(read.path("data").path("password").asText()).isEqualTo("two");
    // a stale check-and-set through the other node loses
    assertThat(
            nodeB
                .post(
                    tokenB,
                    "/v1/credentials/shared/rotate",
                    Map.of("data", Map.of("password", "x"), "expected_version", 1))
                .status())
        .isEqualTo(409);
  }

  @Test
  void keyRotatedOnOneNodeIsUsedByTheOther() {
    nodeA.post(tokenA, "/v1/credentials", Map.of("name", "k1", "data", Map.of("v", "1")));
    assertThat(nodeA.post(tokenA, "/v1/keys/rotate", Map.of()).status()).isEqualTo(200);
    nodeA.post(tokenA, "/v1/credentials", Map.of("name", "k2", "data", Map.of("v", "2")));
    assertThat(nodeB.get(tokenB, "/v1/credentials/k2").body().path("data").path("v").asText())
        .isEqualTo("2");
    assertThat(nodeB.get(tokenB, "/v1/credentials/k1").body().path("data").path("v").asText())
        .isEqualTo("1");
  }

  @Test
  void auditChainStaysValidUnderConcurrentWritersOnBothNodes() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        TestApi api = t % 2 == 0 ? nodeA : nodeB;
        int worker = t;
        results.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < 25; i++) {
                    String name = "c-" + worker + "-" + i;
                    ok +=
                        api.post(
                                        tokenA,
                                        "/v1/credentials",
                                        Map.of("name", name, "data", Map.of("v", name)))
                                    .status()
                                == 201
                            ? 1
                            : 0;
                    ok += api.get(tokenA, "/v1/credentials/" + name).status() == 200 ? 1 : 0;
                  }
                  return ok;
                }));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get();
      }
      assertThat(total).isEqualTo(8 * 25 * 2);
    } finally {
      pool.shutdownNow();
    }
    var verify = nodeB.get(tokenB, "/v1/audit/verify").body();
    assertThat(verify.path("valid").asBoolean()).isTrue();
    assertThat(verify.path("records").asLong()).isGreaterThanOrEqualTo(400);
  }
}
