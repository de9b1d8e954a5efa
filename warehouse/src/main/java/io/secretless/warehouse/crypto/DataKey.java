package io.secretless.warehouse.crypto;

import java.security.GeneralSecurityException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An unwrapped AES-256-GCM data key that opens payloads in the layout Tink's {@code AesGcmJce}
 * writes without an output prefix (what {@code KmsEnvelopeAead} stores after the wrapped key):
 * {@code 12-byte IV || ciphertext || 16-byte tag}, authenticated with the associated data.
 *
 * <p>Decryption only: sealing stays with Tink, which picks the IVs. Tink makes a new JCE {@link
 * Cipher} per call, and so pays for the provider look-up and the AES key expansion on every read;
 * here a few initialised ciphers of this key are kept and re-initialised with each payload's IV
 * (re-using a key and IV is safe for decryption, and the JCE skips the key expansion when the key
 * is unchanged). A cipher whose payload failed authentication is dropped, not kept.
 */
final class DataKey {
  private static final int IV = 12;
  private static final int TAG = 16;
  private static final int MAX_IDLE = 16;
  private final SecretKeySpec key;
  private final ConcurrentLinkedQueue<Cipher> idle = new ConcurrentLinkedQueue<>();
  private final AtomicInteger idleCount = new AtomicInteger();

  DataKey(byte[] rawKey) {
    this.key = new SecretKeySpec(rawKey, "AES");
  }

  /** The plaintext of {@code payload}; throws when it is malformed or fails authentication. */
  byte[] decrypt(byte[] payload, byte[] associatedData) throws GeneralSecurityException {
    if (payload.length < IV + TAG) {
      throw new AEADBadTagException("ciphertext too short");
    }
    Cipher cipher = idle.poll();
    if (cipher == null) {
      cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } else {
      idleCount.decrementAndGet();
    }
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, payload, 0, IV));
    cipher.updateAAD(associatedData);
    byte[] plain = cipher.doFinal(payload, IV, payload.length - IV);
    if (idleCount.incrementAndGet() <= MAX_IDLE) {
      idle.offer(cipher);
    } else {
      idleCount.decrementAndGet();
    }
    return plain;
  }
}
