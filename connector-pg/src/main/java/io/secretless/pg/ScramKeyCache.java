package io.secretless.pg;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SCRAM ClientKey/ServerKey per (password, salt, iteration count), so that connection churn does
 * not run PBKDF2 (4096 HMAC-SHA-256 rounds) per connection. The map key is a SHA-256 over the
 * password, salt and count, never the password; a rotated password or a new salt simply misses. The
 * derived keys are as sensitive as the password for that one server: they live only in this
 * process's memory, bounded to {@link #MAX} entries (cleared when full).
 */
final class ScramKeyCache {
  static final int MAX = 64;

  /** Derived keys; {@link #toString()} shows nothing. */
  record Keys(byte[] clientKey, byte[] serverKey) {
    @Override
    public String toString() {
      return "Keys[redacted]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Keys k
          && java.security.MessageDigest.isEqual(clientKey, k.clientKey)
          && java.security.MessageDigest.isEqual(serverKey, k.serverKey);
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  private final ConcurrentHashMap<String, Keys> keys = new ConcurrentHashMap<>();

  Optional<Keys> get(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  void put(String id, Keys value) {
    if (keys.size() >= MAX) {
      keys.values()
          .forEach(
              k -> {
                Arrays.fill(k.clientKey(), (byte) 0);
                Arrays.fill(k.serverKey(), (byte) 0);
              });
      keys.clear();
    }
    keys.put(id, new Keys(value.clientKey().clone(), value.serverKey().clone()));
  }

  int size() {
    return keys.size();
  }
}
