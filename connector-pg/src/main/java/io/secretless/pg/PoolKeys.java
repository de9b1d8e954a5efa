package io.secretless.pg;

import io.netty.util.concurrent.FastThreadLocal;
import io.secretless.core.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The session pool's keys: which parked backends a login may reuse (see {@link #key}). */
final class PoolKeys {
  private final byte[] keyKey = new byte[32];

  /** One Mac per thread (event loops call {@link #key}): creating one costs more than using it. */
  private final FastThreadLocal<Mac> macs =
      new FastThreadLocal<>() {
        @Override
        protected Mac initialValue() {
          return newMac();
        }
      };

  private final FastThreadLocal<KeyInput> keyInputs =
      new FastThreadLocal<>() {
        @Override
        protected KeyInput initialValue() {
          return new KeyInput();
        }
      };

  PoolKeys() {
    new SecureRandom().nextBytes(keyKey);
  }

  /**
   * Which backends a login may reuse: an HMAC-SHA256, under a random key of this pool, of
   * everything that shapes the backend session: address, user, TLS settings, password and TLS
   * secrets (so a rotated credential never reuses an old login) and the startup parameters. The
   * secrets themselves are not kept.
   */
  String key(BackendSettings s, Map<String, String> startupParameters) {
    KeyInput in = keyInputs.get(); // everything into one buffer, then one HMAC call
    try {
      in.add(s.host());
      in.add(Integer.toString(s.port()));
      in.add(s.username());
      in.add(s.sslMode().text());
      in.add(s.sslHost().orElse("\0"));
      for (Optional<Secret> secret :
          List.of(s.password(), s.sslRootCert(), s.sslCert(), s.sslKey())) {
        in.add(secret.isPresent() ? 1 : 0);
        if (secret.isPresent()) {
          byte[] value = secret.get().reveal();
          in.add(value);
          Arrays.fill(value, (byte) 0);
        }
      }
      startupParameters.forEach(
          (name, value) -> {
            in.add(name);
            in.add(value);
          });
      Mac mac = macs.get(); // doFinal leaves it reset for the next key
      mac.update(in.bytes, 0, in.length);
      return Base64.getEncoder().encodeToString(mac.doFinal());
    } catch (IllegalStateException e) {
      macs.remove(); // a half-used Mac is not reused
      throw e;
    } finally {
      in.clear();
    }
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keyKey, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * The pool key's input, length-prefixed fields in one growable buffer per thread, zeroed after
   * each key (it holds the password while the key is computed). The Mac gets one call instead of
   * some twenty small ones, each through the JCE's delegation (the key showed in churn profiles).
   */
  private static final class KeyInput {
    private byte[] bytes = new byte[512];
    private int length;

    void add(String text) {
      add(text.getBytes(StandardCharsets.UTF_8));
    }

    void add(byte[] value) {
      ensure(4 + value.length);
      bytes[length++] = (byte) (value.length >>> 24);
      bytes[length++] = (byte) (value.length >>> 16);
      bytes[length++] = (byte) (value.length >>> 8);
      bytes[length++] = (byte) value.length;
      System.arraycopy(value, 0, bytes, length, value.length);
      length += value.length;
    }

    void add(int flag) {
      ensure(1);
      bytes[length++] = (byte) flag;
    }

    private void ensure(int more) {
      if (length + more > bytes.length) {
        byte[] bigger = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        Arrays.fill(bytes, (byte) 0);
        bytes = bigger;
      }
    }

    void clear() {
      Arrays.fill(bytes, 0, length, (byte) 0);
      length = 0;
    }
  }
}
