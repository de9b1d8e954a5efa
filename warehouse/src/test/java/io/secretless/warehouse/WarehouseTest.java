package io.secretless.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.audit.AuditQuery;
import io.secretless.warehouse.crypto.MasterKey;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WarehouseTest extends SqliteWarehouseTest {
  final Caller devops = new Caller("devops", Set.of(), "127.0.0.1", "test");
  final Caller finance = new Caller("finance", Set.of(), "127.0.0.1", "test");
  final Caller admin = new Caller("root", Set.of("admin"), "127.0.0.1", "test");

  private Credential storeDo(Caller who, String name) {
    return wh.store(
        who,
        new NewCredential(
            name,
            Optional.of("digital_ocean_api"),
            Map.of("api_token", "dop_v1_canary"),
            List.of("prod"),
            Optional.empty(),
            Optional.empty()));
  }

  @Test
  void storedCredentialDecryptsForOwnerWithTypeDefaults() {
    Credential c = storeDo(devops, "do-key");
    assertThat(c.tags()).containsExactly("cloud", "infrastructure", "prod");
    assertThat(c.rotationDays()).isEqualTo(90);
    Revealed r = wh.retrieve(devops, "do-key");
    assertThat(r.data()).containsEntry("api_token", "dop_v1_canary");
    assertThat(wh.retrieve(devops, c.id()).credential().name()).isEqualTo("do-key");
  }

  @Test
  void missingRequiredFieldsAreNamed() {
    assertThatThrownBy(
            () ->
                wh.store(
                    devops,
                    new NewCredential(
                        "db",
                        Optional.of("database_connection"),
                        Map.of("host", "h"),
                        List.of(),
                        Optional.empty(),
                        Optional.empty())))
        .isInstanceOf(WarehouseException.class)
        .hasMessageContaining("username")
        .hasMessageContaining("password")
        .hasMessageContaining("database")
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.MISSING_FIELDS);
  }

  @Test
  void nonOwnerIsDeniedUntilGranted() {
    storeDo(devops, "do-key");
    assertThatThrownBy(() -> wh.retrieve(finance, "do-key"))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.FORBIDDEN);
    assertThatThrownBy(
            () -> node.sharing().grant(finance, "do-key", "agent:finance", Set.of(Permission.READ)))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.FORBIDDEN);
    node.sharing().grant(devops, "do-key", "agent:finance", Set.of(Permission.READ));
    assertThat(wh.retrieve(finance, "do-key").data()).containsKey("api_token");
    assertThat(wh.list(finance, List.of(), Optional.empty())).hasSize(1);
    node.sharing().revoke(devops, "do-key", "agent:finance");
    assertThat(wh.list(finance, List.of(), Optional.empty())).isEmpty();
  }

  @Test
  void rotationKeepsCheckAndSet() {
    storeDo(devops, "do-key");
    Credential v2 =
        wh.rotate(
            devops,
            "do-key",
            new Rotation(Map.of("api_token", "new"), Optional.of(1), Optional.empty()));
    assertThat(v2.version()).isEqualTo(2);
    assertThat(wh.retrieve(devops, "do-key").data()).containsEntry("api_token", "new");
    assertThatThrownBy(
            () ->
                wh.rotate(
                    devops,
                    "do-key",
                    new Rotation(Map.of("api_token", "x"), Optional.of(1), Optional.empty())))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.VERSION_MISMATCH);
  }

  @Test
  void expiredCredentialIsRefused() {
    wh.store(
        devops,
        new NewCredential(
            "old",
            Optional.empty(),
            Map.of("v", "x"),
            List.of(),
            Optional.of(Instant.now().minusSeconds(60)),
            Optional.empty()));
    assertThatThrownBy(() -> wh.retrieve(devops, "old"))
        .hasMessageContaining("expired")
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.EXPIRED);
  }

  @Test
  void flippedCiphertextByteIsAnIntegrityErrorAndAudited() {
    Credential c = storeDo(devops, "do-key");
    node.database()
        .write(
            conn -> {
              String ct;
              try (var ps = conn.prepareStatement("SELECT ciphertext FROM credential_versions")) {
                var rs = ps.executeQuery();
                rs.next();
                ct = rs.getString(1);
              }
              byte[] raw = java.util.Base64.getDecoder().decode(ct);
              raw[raw.length - 20] ^= 1;
              try (PreparedStatement ps =
                  conn.prepareStatement("UPDATE credential_versions SET ciphertext = ?")) {
                ps.setString(1, java.util.Base64.getEncoder().encodeToString(raw));
                return ps.executeUpdate();
              }
            });
    assertThatThrownBy(() -> wh.retrieve(devops, "do-key"))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.INTEGRITY);
    assertThat(node.audit().query(AuditQuery.all(10)))
        .anyMatch(r -> r.credentialId().equals(c.id()) && r.outcome().equals("integrity_error"));
  }

  @Test
  void ciphertextMovedToAnotherCredentialFails() {
    Credential a = storeDo(devops, "a");
    storeDo(devops, "b");
    node.database()
        .write(
            conn -> {
              try (PreparedStatement ps =
                  conn.prepareStatement(
                      "UPDATE credential_versions SET ciphertext = (SELECT ciphertext FROM"
                          + " credential_versions WHERE credential_id = ?) WHERE credential_id <> ?")) {
                ps.setString(1, a.id());
                ps.setString(2, a.id());
                return ps.executeUpdate();
              }
            });
    assertThat(wh.retrieve(devops, "a").data()).containsKey("api_token");
    assertThatThrownBy(() -> wh.retrieve(devops, "b"))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.INTEGRITY);
  }

  @Test
  void auditChainVerifiesAndNamesAnEditedRecord() {
    storeDo(devops, "do-key");
    wh.retrieve(devops, "do-key");
    assertThatThrownBy(() -> wh.retrieve(finance, "do-key")).isInstanceOf(WarehouseException.class);
    assertThat(node.audit().verify().valid()).isTrue();
    assertThat(node.audit().count()).isEqualTo(3);
    node.database()
        .write(
            conn -> {
              try (var ps =
                  conn.prepareStatement("UPDATE audit_log SET outcome = 'success' WHERE seq = 3")) {
                return ps.executeUpdate();
              }
            });
    var v = node.audit().verify();
    assertThat(v.valid()).isFalse();
    assertThat(v.firstBrokenSeq()).isEqualTo(3);
  }

  @Test
  void keyRotationKeepsOldDataReadableAndRewrapMovesIt() {
    storeDo(devops, "do-key");
    int before = node.keys().primaryKeyId();
    var rotated = node.rekeying().rotateKey(admin);
    assertThat(rotated.primaryKeyId()).isNotEqualTo(before);
    assertThat(wh.retrieve(devops, "do-key").data()).containsEntry("api_token", "dop_v1_canary");
    assertThat(node.rekeying().rewrap(admin).rewrapped()).isEqualTo(1);
    assertThat(wh.retrieve(devops, "do-key").data()).containsEntry("api_token", "dop_v1_canary");
    assertThatThrownBy(() -> node.rekeying().rotateKey(devops))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  void wrongMasterKeyStopsStartUp() {
    storeDo(devops, "do-key");
    node.close();
    Path other = dir.resolve("other.key");
    MasterKey.createKeyFile(other);
    var config =
        WarehouseConfig.defaults(dir)
            .withMasterKey(new io.secretless.warehouse.crypto.MasterKeySource.KeyFile(other));
    assertThatThrownBy(() -> WarehouseNode.open(config, "http://x"))
        .hasMessageContaining("wrong master key");
    node = WarehouseNode.open(WarehouseConfig.defaults(dir), "http://127.0.0.1:8200");
    assertThat(node.warehouse().retrieve(devops, "do-key").data()).containsKey("api_token");
  }

  @Test
  void passphraseMasterKeyReopensWithTheSamePassphraseOnly() {
    node.close();
    Path other = dir.resolve("pp");
    var right =
        new io.secretless.warehouse.crypto.MasterKeySource.Passphrase(
            io.secretless.core.Secret.of("correct horse battery"));
    var config = WarehouseConfig.defaults(other).withMasterKey(right);
    try (var first = WarehouseNode.open(config, "http://x")) {
      storeDoIn(first.warehouse());
    }
    try (var again = WarehouseNode.open(config, "http://x")) {
      assertThat(again.warehouse().retrieve(devops, "pp-key").data()).containsKey("api_token");
    }
    var wrong =
        new io.secretless.warehouse.crypto.MasterKeySource.Passphrase(
            io.secretless.core.Secret.of("wrong horse"));
    assertThatThrownBy(
            () ->
                WarehouseNode.open(
                    WarehouseConfig.defaults(other).withMasterKey(wrong), "http://x"))
        .hasMessageContaining("wrong master key")
        .hasMessageNotContaining("horse");
    node = WarehouseNode.open(WarehouseConfig.defaults(dir), "http://127.0.0.1:8200");
  }

  private void storeDoIn(Warehouse w) {
    w.store(
        devops,
        new NewCredential(
            "pp-key",
            Optional.of("digital_ocean_api"),
            Map.of("api_token", "t"),
            List.of(),
            Optional.empty(),
            Optional.empty()));
  }

  @Test
  void concurrentWritesAreGroupCommittedAndARefusedOneDoesNotSinkItsBatch() throws Exception {
    int writers = 24;
    var results = new java.util.concurrent.ConcurrentLinkedQueue<String>();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < writers; i++) {
        String name = "n-" + (i % 12); // every name twice: one store wins, one is refused
        pool.submit(
            () -> {
              try {
                storeDo(devops, name);
                results.add("ok");
              } catch (WarehouseException e) {
                results.add(e.code().name());
              }
            });
      }
    }
    assertThat(results).hasSize(writers);
    assertThat(results.stream().filter("ok"::equals).count()).isEqualTo(12);
    assertThat(results.stream().filter("CONFLICT"::equals).count()).isEqualTo(12);
    assertThat(wh.list(devops, List.of(), Optional.empty())).hasSize(12);
    var verification = node.audit().verify();
    assertThat(verification.valid()).isTrue();
    assertThat(verification.records()).isEqualTo(writers + 1);
  }
}
