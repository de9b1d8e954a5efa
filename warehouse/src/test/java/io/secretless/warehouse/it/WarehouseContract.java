package io.secretless.warehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretless.warehouse.Caller;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import io.secretless.warehouse.it.TestApi.Reply;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warehouse's behaviour over its HTTP API, run against each store (SQLite, PostgreSQL) by a
 * subclass. The single template base class of the integration suite.
 */
abstract class WarehouseContract {
  static final String CANARY = "dop_v1_Canary-Warehouse-4c1e";
  @TempDir Path dataDir;
  StoreFixture store;
  WarehouseNode node;
  ApiServer server;
  TestApi api;
  final Map<String, String> tokens = new java.util.HashMap<>();

  abstract StoreFixture newStore();

  WarehouseConfig config() {
    return WarehouseConfig.defaults(dataDir)
        .withDatabase(store.databaseUrl())
        .withListen("127.0.0.1", 0)
        .withMasterKey(new MasterKeySource.KeyFile(dataDir.resolve("master.key")));
  }

  @BeforeEach
  void start() {
    store = newStore();
    MasterKey.createKeyFile(dataDir.resolve("master.key"));
    node = WarehouseNode.open(config(), "http://127.0.0.1");
    server = ApiServer.start(node, config());
    api = new TestApi(server.baseUrl());
    agent("devops", Set.of());
    agent("finance", Set.of());
    agent("ops-lead", Set.of("operator"));
    agent("root", Set.of(Caller.ADMIN_ROLE));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (node != null) {
      node.close();
    }
    store.close();
  }

  void agent(String name, Set<String> roles) {
    var reg = node.clients().create(name, roles);
    tokens.put(name, api.token(name, reg.clientSecret().revealString()));
  }

  String as(String agent) {
    return tokens.get(agent);
  }

  Reply put(String agent, Map<String, Object> body) {
    return api.post(as(agent), "/v1/credentials", body);
  }

  @Test
  void fullWalkthroughIsEnforcedAndAudited() {
    // devops stores a DigitalOcean key
    Reply stored =
        put(
            "devops",
            Map.of(
                "name",
                "do-prod",
                "type",
                "digital_ocean_api",
                "data",
                Map.of("api_token", CANARY)));
    assertThat(stored.status()).isEqualTo(201);
    String doId = stored.body().path("id").asText();
    assertThat(stored.body().path("tags").toString()).contains("cloud", "infrastructure");
    assertThat(stored.body().toString()).doesNotContain(CANARY);

    // finance cannot read it
    assertThat(api.get(as("finance"), "/v1/credentials/do-prod").status()).isEqualTo(403);
    // a non-owner agent without the admin role cannot grant it; one with the admin role can
    Reply leadGrant =
        api.post(as("ops-lead"), "/v1/credentials/do-prod/grants", Map.of("agent", "ops-lead"));
    assertThat(leadGrant.status()).isEqualTo(403);
    assertThat(
            api.post(as("root"), "/v1/credentials/do-prod/grants", Map.of("role", "auditor"))
                .status())
        .isEqualTo(201);
    // the owner grants finance, who can then read it
    assertThat(
            api.post(
                    as("devops"),
                    "/v1/credentials/do-prod/grants",
                    Map.of("agent", "finance", "permissions", List.of("read")))
                .status())
        .isEqualTo(201);
    Reply read = api.get(as("finance"), "/v1/credentials/do-prod/secret");
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().path("value").asText()).isEqualTo(CANARY);

    // a database password is rotated and the new value read
    Map<String, String> db =
        Map.of(
            "host", "db.internal", "username", "app", "password", "pw-one", "database", "orders");
    assertThat(
            put("devops", Map.of("name", "orders-db", "type", "database_connection", "data", db))
                .status())
        .isEqualTo(201);
    var rotated = new java.util.HashMap<>(db);
    rotated.put("password", "pw-two");
    Reply rot =
        api.post(
            as("devops"),
            "/v1/credentials/orders-db/rotate",
            Map.of("data", rotated, "expected_version", 1));
    assertThat(rot.status()).isEqualTo(200);
    assertThat(rot.body().path("version").asInt()).isEqualTo(2);
    assertThat(
            api.get(as("devops"), "/v1/credentials/orders-db")
                .body()
                .path("data")
                .path("password")
                .asText())
        .isEqualTo("pw-two");
    assertThat(
            api.post(
                    as("devops"),
                    "/v1/credentials/orders-db/rotate",
                    Map.of("data", rotated, "expected_version", 1))
                .status())
        .isEqualTo(409);

    // expiring within 20 days finds a 15-day credential (and not the 90-day DigitalOcean key)
    assertThat(
            put(
                    "devops",
                    Map.of(
                        "name", "promo-token", "data", Map.of("token", "t"), "expires_in_days", 15))
                .status())
        .isEqualTo(201);
    JsonNode expiring = api.get(as("devops"), "/v1/expiring?days=20").body().path("credentials");
    assertThat(names(expiring)).containsExactly("promo-token");

    // a non-owner delete is refused; the owner deletes; a read after delete is 404
    assertThat(api.delete(as("finance"), "/v1/credentials/do-prod").status()).isEqualTo(403);
    assertThat(api.delete(as("devops"), "/v1/credentials/do-prod").status()).isEqualTo(204);
    assertThat(api.get(as("devops"), "/v1/credentials/do-prod").status()).isEqualTo(404);
    assertThat(api.get(as("finance"), "/v1/credentials/" + doId).status()).isEqualTo(404);

    // statistics add up
    JsonNode stats = api.get(as("root"), "/v1/stats").body();
    assertThat(stats.path("total_credentials").asLong()).isEqualTo(2);
    assertThat(stats.path("by_type").path("database_connection").asLong()).isEqualTo(1);
    assertThat(stats.path("by_type").path("untyped").asLong()).isEqualTo(1);
    assertThat(stats.path("total_accesses").asLong()).isEqualTo(1);

    // every step is in the audit log, and the chain verifies
    JsonNode records = api.get(as("root"), "/v1/audit?credential=" + doId).body().path("records");
    List<String> steps = new ArrayList<>();
    records.forEach(
        r ->
            steps.add(
                r.path("agent").asText()
                    + " "
                    + r.path("action").asText()
                    + " "
                    + r.path("outcome").asText()));
    assertThat(steps)
        .containsExactly(
            "devops store success",
            "finance retrieve denied",
            "ops-lead grant denied",
            "root grant success",
            "devops grant success",
            "finance get_secret success",
            "finance delete denied",
            "devops delete success",
            "finance retrieve not_found");
    assertThat(records.toString()).doesNotContain(CANARY);
    JsonNode verify = api.get(as("root"), "/v1/audit/verify").body();
    assertThat(verify.path("valid").asBoolean()).isTrue();
    assertThat(verify.path("records").asLong()).isGreaterThan(20);
  }

  private static List<String> names(JsonNode list) {
    return StreamSupport.stream(list.spliterator(), false)
        .map(n -> n.path("name").asText())
        .toList();
  }

  @Test
  void missingRequiredFieldsAreRefusedByName() {
    Reply r =
        put(
            "devops",
            Map.of("name", "pay", "type", "payment_processor", "data", Map.of("public_key", "pk")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorCode()).isEqualTo("missing_fields");
    assertThat(r.body().path("error").path("message").asText())
        .contains("private_key", "webhook_secret");
  }

  @Test
  void expiredCredentialIsRefusedWithAClearError() {
    put(
        "devops",
        Map.of("name", "old", "data", Map.of("k", "v"), "expires_at", "2020-01-01T00:00:00Z"));
    Reply r = api.get(as("devops"), "/v1/credentials/old");
    assertThat(r.status()).isEqualTo(410);
    assertThat(r.errorCode()).isEqualTo("credential_expired");
    assertThat(r.body().path("error").path("message").asText()).contains("expired at 2020-01-01");
  }

  @Test
  void flippedCiphertextByteIsReportedAsIntegrityErrorNeverReturned() throws Exception {
    String id =
        put(
                "devops",
                Map.of(
                    "name", "do", "type", "digital_ocean_api", "data", Map.of("api_token", CANARY)))
            .body()
            .path("id")
            .asText();
    try (Connection c = StoreFixture.connect(store, dataDir)) {
      String ct;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT ciphertext FROM credential_versions WHERE credential_id = ?")) {
        ps.setString(1, id);
        ResultSet rs = ps.executeQuery();
        rs.next();
        ct = rs.getString(1);
      }
      byte[] raw = Base64.getDecoder().decode(ct);
      raw[raw.length - 30] ^= 0x01;
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE credential_versions SET ciphertext = ? WHERE credential_id = ?")) {
        ps.setString(1, Base64.getEncoder().encodeToString(raw));
        ps.setString(2, id);
        ps.executeUpdate();
      }
    }
    Reply r = api.get(as("devops"), "/v1/credentials/do");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.errorCode()).isEqualTo("integrity_error");
    assertThat(r.body().toString()).doesNotContain(CANARY);
    JsonNode audit = api.get(as("root"), "/v1/audit?credential=" + id).body().path("records");
    assertThat(audit.get(audit.size() - 1).path("outcome").asText()).isEqualTo("integrity_error");
  }

  @Test
  void editedAuditRowIsNamedByVerify() throws Exception {
    put("devops", Map.of("name", "x", "data", Map.of("k", "v")));
    api.get(as("finance"), "/v1/credentials/x");
    long target;
    try (Connection c = StoreFixture.connect(store, dataDir)) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT seq FROM audit_log WHERE agent = 'finance' AND action = 'retrieve'")) {
        ResultSet rs = ps.executeQuery();
        rs.next();
        target = rs.getLong(1);
      }
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE audit_log SET outcome = 'success' WHERE seq = ?")) {
        ps.setLong(1, target);
        ps.executeUpdate();
      }
    }
    JsonNode v = api.get(as("root"), "/v1/audit/verify").body();
    assertThat(v.path("valid").asBoolean()).isFalse();
    assertThat(v.path("first_broken_seq").asLong()).isEqualTo(target);
  }

  @Test
  void requestsWithoutValidTokenAreRefusedWith401() {
    assertThat(api.get(null, "/v1/credentials").status()).isEqualTo(401);
    Reply forged = api.get("eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0.", "/v1/credentials");
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.errorCode()).isEqualTo("unauthorized");
    assertThat(api.tokenRequest("devops", "wrong", false).status()).isEqualTo(401);
    assertThat(api.tokenRequest("devops", "wrong", false).body().path("error").asText())
        .isEqualTo("invalid_client");
  }

  @Test
  void tokenEndpointAcceptsClientSecretPostAndPublishesKeys() {
    var reg = node.clients().create("poster", Set.of());
    Reply r = api.tokenRequest("poster", reg.clientSecret().revealString(), true);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("expires_in").asLong()).isEqualTo(300);
    assertThat(
            api.get(null, "/.well-known/jwks.json").body().path("keys").get(0).path("kty").asText())
        .isEqualTo("EC");
    JsonNode discovery = api.get(null, "/.well-known/openid-configuration").body();
    assertThat(discovery.path("token_endpoint").asText()).endsWith("/v1/oauth/token");
    assertThat(api.get(null, "/v1/openapi.json").body().path("openapi").asText()).startsWith("3.");
  }

  @Test
  void malformedAndOversizedBodiesGetStructuredErrors() {
    Reply bad = api.post(as("devops"), "/v1/credentials", "{not json");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorCode()).isEqualTo("bad_request");
    Reply big = put("devops", Map.of("name", "big", "data", Map.of("v", "x".repeat(100_000))));
    assertThat(big.status()).isEqualTo(413);
    assertThat(put("devops", Map.of("name", "dup", "data", Map.of("k", "v"))).status())
        .isEqualTo(201);
    assertThat(put("devops", Map.of("name", "dup", "data", Map.of("k", "v"))).status())
        .isEqualTo(409);
  }

  @Test
  void listShowsOnlyVisibleCredentialsFilteredByTagAndType() {
    put(
        "devops",
        Map.of("name", "a", "type", "digital_ocean_api", "data", Map.of("api_token", "1")));
    put(
        "devops",
        Map.of(
            "name",
            "b",
            "type",
            "github_deploy_token",
            "data",
            Map.of("token", "1", "repository", "r")));
    put("finance", Map.of("name", "c", "data", Map.of("k", "v"), "tags", List.of("cloud")));
    assertThat(names(api.get(as("devops"), "/v1/credentials").body().path("credentials")))
        .containsExactly("a", "b");
    assertThat(
            names(
                api.get(as("devops"), "/v1/credentials?tag=deployment").body().path("credentials")))
        .containsExactly("b");
    assertThat(names(api.get(as("root"), "/v1/credentials?tag=cloud").body().path("credentials")))
        .containsExactly("a", "c");
    assertThat(
            names(
                api.get(as("root"), "/v1/credentials?type=digital_ocean_api")
                    .body()
                    .path("credentials")))
        .containsExactly("a");
  }

  @Test
  void auditThatCannotBeWrittenFailsClosedWith503AndReturnsNothing() throws Exception {
    put("devops", Map.of("name", "locked", "data", Map.of("k", CANARY)));
    try (Connection blocker = StoreFixture.connect(store, dataDir)) {
      blocker.setAutoCommit(false);
      try (var s = blocker.createStatement()) {
        // Holds the audit chain head (PostgreSQL row lock; SQLite write lock) like a hung writer.
        s.executeUpdate("UPDATE audit_head SET seq = seq WHERE id = 1");
      }
      Reply r = api.get(as("devops"), "/v1/credentials/locked");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.errorCode()).isEqualTo("audit_unavailable");
      assertThat(r.body().toString()).doesNotContain(CANARY);
      blocker.rollback();
    }
    Reply after = api.get(as("devops"), "/v1/credentials/locked");
    assertThat(after.status()).as(after.toString()).isEqualTo(200);
    assertThat(api.get(as("root"), "/v1/audit/verify").body().path("valid").asBoolean()).isTrue();
  }
}
