package io.secretless.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.sql.PreparedStatement;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cache of unwrapped data keys behind reads, against a real (SQLite) store. */
class DataKeyCachingTest extends SqliteWarehouseTest {
  final Caller admin = new Caller("root", Set.of("admin"), "127.0.0.1", "test");

  private void setCiphertext(String credentialId, String ciphertext) {
    node.database()
        .write(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE credential_versions SET ciphertext = ? WHERE credential_id = ?")) {
                ps.setString(1, ciphertext);
                ps.setString(2, credentialId);
                return ps.executeUpdate();
              }
            });
  }

  private String ciphertext(String credentialId) {
    return node.database().read(c -> wh.credentials.ciphertext(c, credentialId, 1).orElseThrow());
  }

  @Test
  void aReadKeepsTheDataKeyAndTheNextReadOfTheSameVersionUsesIt() {
    store("db", "pw-1");
    assertThat(wh.cipher.cachedDataKeys()).isZero();
    assertThat(wh.secret(owner, "db").data()).containsEntry("password", "pw-1");
    assertThat(wh.cipher.cachedDataKeys()).isEqualTo(1);
    assertThat(wh.secret(owner, "db").data()).containsEntry("password", "pw-1");
    assertThat(wh.cipher.cachedDataKeys()).isEqualTo(1);
  }

  @Test
  void rotationDropsTheCachedKeyAndTheNewVersionIsRead() {
    store("db", "pw-1");
    wh.secret(owner, "db");
    wh.rotate(
        owner, "db", new Rotation(Map.of("password", "pw-2"), Optional.of(1), Optional.empty()));
    assertThat(wh.cipher.cachedDataKeys()).isZero();
    assertThat(wh.secret(owner, "db").data()).containsEntry("password", "pw-2");
  }

  @Test
  void deletionDropsTheCachedKey() {
    store("db", "pw-1");
    store("other", "pw-o");
    wh.secret(owner, "db");
    wh.secret(owner, "other");
    wh.delete(owner, "db");
    assertThat(wh.cipher.cachedDataKeys()).isEqualTo(1);
    assertThatThrownBy(() -> wh.secret(owner, "db"))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void rewrapDropsEveryCachedKeyAndReadsStillDecrypt() {
    store("db", "pw-1");
    wh.secret(owner, "db");
    node.rekeying().rotateKey(admin);
    assertThat(node.rekeying().rewrap(admin).rewrapped()).isEqualTo(1);
    assertThat(wh.cipher.cachedDataKeys()).isZero();
    assertThat(wh.secret(owner, "db").data()).containsEntry("password", "pw-1");
  }

  @Test
  void aVersionReSealedBehindTheCacheIsReadWithItsNewKey() {
    // As when another node re-wraps or rewrites a version: same id and version, new data key.
    Credential c = store("db", "pw-1");
    wh.secret(owner, "db");
    setCiphertext(c.id(), wh.cipher.seal(c.id(), 1, Map.of("password", "pw-resealed")));
    assertThat(wh.secret(owner, "db").data()).containsEntry("password", "pw-resealed");
  }

  @Test
  void aFlippedByteAfterACachedReadIsStillAnIntegrityError() {
    Credential c = store("db", "pw-1");
    wh.secret(owner, "db");
    byte[] raw = Base64.getDecoder().decode(ciphertext(c.id()));
    raw[raw.length - 5] ^= 1;
    setCiphertext(c.id(), Base64.getEncoder().encodeToString(raw));
    assertThatThrownBy(() -> wh.secret(owner, "db"))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.INTEGRITY);
  }

  @Test
  void aCiphertextMovedFromACachedCredentialFailsOnTheOther() {
    Credential a = store("a", "pw-a");
    Credential b = store("b", "pw-b");
    wh.secret(owner, "a");
    wh.secret(owner, "b");
    setCiphertext(b.id(), ciphertext(a.id()));
    assertThatThrownBy(() -> wh.secret(owner, "b"))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.INTEGRITY);
  }

  @Test
  void aTruncatedCiphertextIsAnIntegrityError() {
    Credential c = store("db", "pw-1");
    byte[] raw = Base64.getDecoder().decode(ciphertext(c.id()));
    setCiphertext(c.id(), Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(raw, 30)));
    assertThatThrownBy(() -> wh.secret(owner, "db"))
        .extracting(e -> ((WarehouseException) e).code())
        .isEqualTo(ErrorCode.INTEGRITY);
  }
}
