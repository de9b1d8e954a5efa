package io.secretless.warehouse.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.store.KeyMaterialStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The key-encryption keyset (KEK): a Tink AES-256-GCM keyset whose primary key wraps new data keys
 * and whose older keys still unwrap old ones. It is stored only encrypted under the {@link
 * MasterKey} (associated data {@code secretless-kek-v1}). Rotation adds a new primary key; other
 * warehouse nodes pick it up through {@link #reload()}.
 */
public final class KeyRing {
  static final String NAME = "kek_keyset";
  private static final byte[] AD = "secretless-kek-v1".getBytes(StandardCharsets.UTF_8);

  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeyMaterialStore store;
  private final MasterKey master;
  private volatile String stored;
  private volatile KeysetHandle handle;
  private volatile Aead aead;

  private KeyRing(KeyMaterialStore store, MasterKey master) {
    this.store = store;
    this.master = master;
  }

  /**
   * Loads the keyset, creating it on first use. A master key that cannot decrypt the stored keyset
   * stops here with a clear error, before anything is written.
   */
  public static KeyRing open(KeyMaterialStore store, MasterKey master) {
    var ring = new KeyRing(store, master);
    String existing =
        store.get(NAME).orElseGet(() -> store.putIfAbsent(NAME, ring.encrypt(generate())));
    ring.load(existing);
    return ring;
  }

  private static KeysetHandle generate() {
    try {
      return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
    } catch (GeneralSecurityException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "cannot generate keyset: " + e, e);
    }
  }

  private String encrypt(KeysetHandle keyset) {
    try {
      return TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(keyset, master.aead(), AD);
    } catch (GeneralSecurityException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "cannot encrypt keyset: " + e, e);
    }
  }

  private synchronized void load(String encrypted) {
    try {
      KeysetHandle h = TinkJsonProtoKeysetFormat.parseEncryptedKeyset(encrypted, master.aead(), AD);
      this.aead = h.getPrimitive(RegistryConfiguration.get(), Aead.class);
      this.handle = h;
      this.stored = encrypted;
    } catch (GeneralSecurityException e) {
      throw new WarehouseException(
          ErrorCode.BAD_REQUEST,
          "wrong master key: the key from "
              + master.source()
              + " cannot decrypt this warehouse's key-encryption keyset; nothing was changed."
              + " Use the master key this warehouse was initialised with.");
    }
  }

  /** Re-reads the keyset from the store (another node may have rotated it). */
  public void reload() {
    store.get(NAME).filter(s -> !s.equals(stored)).ifPresent(this::load);
  }

  /** The AEAD over every key of the keyset; encrypts with the primary. */
  public Aead aead() {
    return aead;
  }

  /** Number of keys in the keyset. */
  public int size() {
    return handle.size();
  }

  /** Id of the primary key (the one wrapping new data keys). */
  public int primaryKeyId() {
    return handle.getPrimary().getId();
  }

  /**
   * Adds a fresh AES-256-GCM key and makes it primary. Old keys stay, so existing data still
   * decrypts. Returns the new primary key id.
   */
  public synchronized int rotate() {
    for (int attempt = 0; attempt < 5; attempt++) {
      reload();
      String before = stored;
      KeysetHandle next;
      try {
        next =
            KeysetHandle.newBuilder(handle)
                .addEntry(
                    KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                        .withRandomId()
                        .makePrimary())
                .build();
      } catch (GeneralSecurityException e) {
        throw new WarehouseException(ErrorCode.INTERNAL, "cannot rotate keyset: " + e, e);
      }
      String encrypted = encrypt(next);
      if (store.replace(NAME, before, encrypted)) {
        load(encrypted);
        return primaryKeyId();
      }
    }
    throw WarehouseException.conflict("key rotation raced with another node five times; retry");
  }
}
