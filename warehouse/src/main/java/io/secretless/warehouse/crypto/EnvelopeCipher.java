package io.secretless.warehouse.crypto;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.proto.AesGcmKey;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Envelope encryption of credential data.
 *
 * <p>Each call to {@link #seal} makes a fresh AES-256-GCM data key (Tink {@link KmsEnvelopeAead}),
 * encrypts the JSON-encoded field map with it, and wraps the data key with the primary key of the
 * {@link KeyRing}. Stored layout (base64 of): {@code 4-byte length of wrapped key || wrapped key
 * (Tink prefix, key id, IV, ciphertext, tag) || IV || data ciphertext || GCM tag}. The associated
 * data is {@code secretless:credential:<id>:v<version>}, so a ciphertext copied to another
 * credential or version fails authentication. Any authentication failure is reported as an
 * integrity error and nothing is returned.
 */
public final class EnvelopeCipher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectReader FIELDS =
      JSON.readerFor(new TypeReference<Map<String, String>>() {});
  private static final byte[] NO_AD = new byte[0];
  private static final int MAX_WRAPPED = 4096;
  private static final int CACHED_DATA_KEYS = 10_000;
  private final KeyRing keys;
  private final DataKeyCache dataKeys = new DataKeyCache(CACHED_DATA_KEYS);

  public EnvelopeCipher(KeyRing keys) {
    this.keys = keys;
  }

  static byte[] associatedData(String credentialId, int version) {
    return ("secretless:credential:" + credentialId + ":v" + version)
        .getBytes(StandardCharsets.UTF_8);
  }

  private record Envelope(Aead kek, Aead aead) {}

  // The envelope AEAD built over the current KEK primitive; rebuilt when the keyset changes.
  private volatile Envelope cached = new Envelope(null, null);

  private Aead envelope(Aead kek) {
    Envelope current = cached;
    if (current.kek() == kek) {
      return current.aead();
    }
    try {
      Aead envelope = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, kek);
      cached = new Envelope(kek, envelope);
      return envelope;
    } catch (GeneralSecurityException e) {
      throw new WarehouseException(ErrorCode.INTERNAL, "cannot build envelope AEAD: " + e, e);
    }
  }

  /** Encrypts {@code data} for {@code credentialId} at {@code version}; returns base64 text. */
  public String seal(String credentialId, int version, Map<String, String> data) {
    byte[] plain = null;
    try {
      plain = JSON.writeValueAsBytes(data);
      byte[] sealed = envelope(keys.aead()).encrypt(plain, associatedData(credentialId, version));
      return Base64.getEncoder().encodeToString(sealed);
    } catch (IOException | GeneralSecurityException e) {
      throw new WarehouseException(
          ErrorCode.INTERNAL, "cannot encrypt credential " + credentialId + ": " + e, e);
    } finally {
      if (plain != null) {
        Arrays.fill(plain, (byte) 0);
      }
    }
  }

  /**
   * Decrypts what {@link #seal} produced for the same id and version. The unwrapped data key is
   * kept in a {@link DataKeyCache} for the next read of the same version.
   *
   * @throws WarehouseException INTEGRITY when the ciphertext was altered, moved, or its key is gone
   */
  public Map<String, String> open(String credentialId, int version, String stored) {
    byte[] wrapped;
    byte[] payload;
    try {
      ByteBuffer sealed = ByteBuffer.wrap(Base64.getDecoder().decode(stored));
      int length = sealed.getInt();
      if (length <= 0 || length > MAX_WRAPPED || length > sealed.remaining()) {
        throw integrity(credentialId, version);
      }
      wrapped = new byte[length];
      sealed.get(wrapped);
      payload = new byte[sealed.remaining()];
      sealed.get(payload);
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      throw integrity(credentialId, version);
    }
    byte[] ad = associatedData(credentialId, version);
    DataKey dataKey = dataKeys.get(credentialId, version, wrapped);
    boolean fresh = dataKey == null;
    if (fresh) {
      dataKey = unwrap(credentialId, version, wrapped);
    }
    byte[] plain;
    try {
      plain = dataKey.decrypt(payload, ad);
    } catch (GeneralSecurityException e) {
      throw integrity(credentialId, version);
    }
    if (fresh) {
      dataKeys.put(credentialId, version, wrapped, dataKey);
    }
    try {
      return FIELDS.readValue(plain);
    } catch (IOException e) {
      throw integrity(credentialId, version);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * Unwraps a data key with the key-encryption keyset (reloading it once: another node may have
   * rotated it) as a {@link DataKey}. The wrapped key is a Tink {@code AesGcmKey} proto, as {@link
   * KmsEnvelopeAead} writes it.
   */
  private DataKey unwrap(String credentialId, int version, byte[] wrapped) {
    byte[] serialized;
    try {
      serialized = keys.aead().decrypt(wrapped, NO_AD);
    } catch (GeneralSecurityException first) {
      keys.reload();
      try {
        serialized = keys.aead().decrypt(wrapped, NO_AD);
      } catch (GeneralSecurityException e) {
        throw integrity(credentialId, version);
      }
    }
    byte[] key = null;
    try {
      var proto = AesGcmKey.parseFrom(serialized, ExtensionRegistryLite.getEmptyRegistry());
      key = proto.getKeyValue().toByteArray();
      if (proto.getVersion() != 0 || key.length != 32) {
        throw integrity(credentialId, version);
      }
      return new DataKey(key);
    } catch (InvalidProtocolBufferException e) {
      throw integrity(credentialId, version);
    } finally {
      Arrays.fill(serialized, (byte) 0);
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  /** Drops the cached data keys of {@code credentialId} (after a rotation or deletion). */
  public void forget(String credentialId) {
    dataKeys.forget(credentialId);
  }

  /** Drops every cached data key (after a re-wrap). */
  public void forgetAll() {
    dataKeys.clear();
  }

  /** Number of data keys held unwrapped (bounded; for tests and diagnostics). */
  public int cachedDataKeys() {
    return dataKeys.size();
  }

  private static WarehouseException integrity(String credentialId, int version) {
    return new WarehouseException(
        ErrorCode.INTEGRITY,
        "integrity check failed for credential "
            + credentialId
            + " version "
            + version
            + ": stored ciphertext was altered, moved or its key is unavailable; data not returned");
  }
}
