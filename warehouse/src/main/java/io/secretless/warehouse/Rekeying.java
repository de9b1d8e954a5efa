package io.secretless.warehouse;

import io.secretless.warehouse.audit.AuditEvent.Outcome;
import io.secretless.warehouse.crypto.KeyRing;
import io.secretless.warehouse.store.CredentialStore.SealedVersion;
import java.util.List;
import java.util.Map;

/**
 * Online key-encryption-key rotation (admin only). {@link #rotateKey} adds a new primary key; data
 * sealed under older keys still opens. {@link #rewrap} re-seals every stored version under the
 * current primary key with a fresh data key, one version per transaction, so it can run while the
 * warehouse serves traffic.
 */
public final class Rekeying {
  private final Warehouse warehouse;
  private final KeyRing keys;

  public Rekeying(Warehouse warehouse, KeyRing keys) {
    this.warehouse = warehouse;
    this.keys = keys;
  }

  /** The outcome of a key operation. */
  public record Result(int primaryKeyId, int keys, int rewrapped) {}

  public Result rotateKey(Caller caller) {
    requireAdmin(caller, "rotate_key");
    int id = keys.rotate();
    warehouse.auditor.record(caller, "rotate_key", "*", Outcome.SUCCESS, "new primary key " + id);
    return new Result(id, keys.size(), 0);
  }

  public Result rewrap(Caller caller) {
    requireAdmin(caller, "rewrap");
    keys.reload();
    List<SealedVersion> versions = warehouse.db.read(warehouse.credentials::versions);
    int done = 0;
    for (SealedVersion v : versions) {
      Map<String, String> data;
      try {
        data = warehouse.cipher.open(v.credentialId(), v.version(), v.ciphertext());
      } catch (WarehouseException e) {
        throw warehouse.auditor.refuse(
            caller, "rewrap", v.credentialId(), Outcome.INTEGRITY_ERROR, e);
      }
      String sealed = warehouse.cipher.seal(v.credentialId(), v.version(), data);
      boolean replaced =
          warehouse.db.write(c -> warehouse.credentials.replaceCiphertext(c, v, sealed));
      done += replaced ? 1 : 0;
    }
    warehouse.cipher.forgetAll();
    warehouse.auditor.record(
        caller,
        "rewrap",
        "*",
        Outcome.SUCCESS,
        done + " versions under key " + keys.primaryKeyId());
    return new Result(keys.primaryKeyId(), keys.size(), done);
  }

  private void requireAdmin(Caller caller, String action) {
    if (!caller.isAdmin()) {
      throw warehouse.auditor.refuse(
          caller,
          action,
          "*",
          Outcome.DENIED,
          WarehouseException.forbidden(action + " requires the admin role"));
    }
  }
}
