package io.secretless.warehouse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.audit.AuditQuery;
import io.secretless.warehouse.audit.AuditRecord;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.it.TestApi;
import io.secretless.warehouse.it.TestApi.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/changes} over HTTP on a SQLite node with short server timeouts: a held poll is not
 * cut by them, a stopping server answers it, bad parameters are 400s, {@code /secret} carries the
 * id the feed names.
 */
class ChangeRoutesTest {
  @TempDir Path dir;
  WarehouseNode node;
  ApiServer server;
  TestApi api;
  String token;

  @BeforeEach
  void start() {
    MasterKey.createKeyFile(dir.resolve("master.key"));
    WarehouseConfig config = WarehouseConfig.defaults(dir).withListen("127.0.0.1", 0);
    node = WarehouseNode.open(config, "http://127.0.0.1");
    // Read and request timeouts far shorter than the waits below.
    server = ApiServer.start(node, config, Duration.ofMillis(500), Duration.ofMillis(500), r -> {});
    api = new TestApi(server.baseUrl());
    var reg = node.clients().create("broker", Set.of());
    token = api.token("broker", reg.clientSecret().revealString());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    node.close();
  }

  @Test
  void withoutAfterTheAnswerIsTheStartingPointAtOnce() {
    Reply r = api.get(token, "/v1/changes?wait=60s");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("next").asLong()).isEqualTo(node.audit().head() - 1);
    assertThat(r.body().path("changes")).isEmpty();
  }

  @Test
  void aHeldPollOutlivesTheReadAndRequestTimeoutsAndAnswersWhenItsWaitEnds() {
    long next = api.get(token, "/v1/changes").body().path("next").asLong();
    Reply r = api.get(token, "/v1/changes?after=" + next + "&wait=2s");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("changes")).isEmpty();
    assertThat(r.body().path("next").asLong()).as("its own start record").isEqualTo(next + 1);
  }

  @Test
  void aHeldPollAnswersWithTheRotationThatEndsIt() throws Exception {
    assertThat(
            api.post(token, "/v1/credentials", Map.of("name", "db", "data", Map.of("v", "one")))
                .status())
        .isEqualTo(201);
    String id = api.get(token, "/v1/credentials/db/secret").body().path("id").asText();
    assertThat(id).as("/secret carries the id").isNotBlank();
    long next = api.get(token, "/v1/changes").body().path("next").asLong();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<Reply> held =
          CompletableFuture.supplyAsync(
              () -> api.get(token, "/v1/changes?after=" + next + "&wait=60s"), pool);
      await().during(Duration.ofMillis(300)).until(() -> !held.isDone());
      Reply rotated =
          api.post(token, "/v1/credentials/db/rotate", Map.of("data", Map.of("v", "two")));
      assertThat(rotated.status()).isEqualTo(200);
      Reply r = held.get(20, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().path("changes").toString())
          .isEqualTo(
              "[{\"seq\":"
                  + r.body().path("next").asLong()
                  + ",\"id\":\""
                  + id
                  + "\",\"action\":\"rotate\"}]");
      assertThat(r.body().toString()).doesNotContain("two").doesNotContain("\"db\"");
    }
  }

  @Test
  void aStoppingServerAnswersAHeldPollInsteadOfDroppingIt() {
    long next = api.get(token, "/v1/changes").body().path("next").asLong();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<Reply> held =
          CompletableFuture.supplyAsync(
              () -> api.get(token, "/v1/changes?after=" + next + "&wait=60s"), pool);
      await().during(Duration.ofMillis(300)).until(() -> !held.isDone());
      server.close();
      server = null;
      Reply r = held.join();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().path("changes")).isEmpty();
    }
  }

  @Test
  void badParametersAre400sWithTheReason() {
    Reply wait = api.get(token, "/v1/changes?after=1&wait=5m");
    assertThat(wait.status()).isEqualTo(400);
    assertThat(wait.body().path("error").path("message").asText())
        .startsWith("wait must be a duration of at most 60s");
    Reply after = api.get(token, "/v1/changes?after=-3");
    assertThat(after.status()).isEqualTo(400);
    assertThat(after.body().path("error").path("message").asText())
        .startsWith("after must be an audit seq");
    Reply ahead = api.get(token, "/v1/changes?after=999999");
    assertThat(ahead.status()).isEqualTo(400);
    assertThat(ahead.body().path("error").path("message").asText())
        .contains("poll without after for a new starting point");
  }

  @Test
  void aPollWithoutTokenIs401AndAudited() {
    assertThat(api.get(null, "/v1/changes").status()).isEqualTo(401);
    AuditRecord last = node.audit().query(AuditQuery.all(1)).getLast();
    assertThat(List.of(last.action(), last.outcome())).containsExactly("changes", "denied");
  }

  @Test
  void everyAnsweredPollIsOneAuditRecord() {
    long next = api.get(token, "/v1/changes").body().path("next").asLong();
    api.get(token, "/v1/changes?after=" + next);
    List<AuditRecord> polls =
        node.audit().query(AuditQuery.all(100)).stream()
            .filter(r -> r.action().equals("changes"))
            .toList();
    assertThat(polls)
        .extracting(AuditRecord::reason)
        .containsExactly("start at " + next, "0 changes after " + next + ", next " + (next + 1));
  }
}
