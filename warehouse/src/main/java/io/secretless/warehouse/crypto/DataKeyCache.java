package io.secretless.warehouse.crypto;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unwrapped data keys (as ready {@link DataKey}s) per credential version, so a read does not unwrap
 * and parse its data key every time. An entry is used only for the exact wrapped key it was
 * unwrapped from: a version re-wrapped or replaced (also by another node) misses and is unwrapped
 * again. Bounded: when full, an arbitrary entry is dropped for each new one.
 *
 * <p>Holding unwrapped data keys in memory adds no exposure: the key-encryption keyset, which
 * unwraps every data key, is in the same process memory for as long as the warehouse runs. Only
 * keys are cached, never decrypted credential data, and every read still authenticates its
 * ciphertext with the credential id and version as associated data.
 */
final class DataKeyCache {
  private record Key(String credentialId, int version) {}

  private record Entry(byte[] wrapped, DataKey dataKey) {}

  private final int capacity;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  DataKeyCache(int capacity) {
    this.capacity = capacity;
  }

  /** The data key of this version if it was unwrapped from exactly {@code wrapped}. */
  DataKey get(String credentialId, int version, byte[] wrapped) {
    Entry e = entries.get(new Key(credentialId, version));
    return e != null && Arrays.equals(e.wrapped(), wrapped) ? e.dataKey() : null;
  }

  void put(String credentialId, int version, byte[] wrapped, DataKey dataKey) {
    if (entries.size() >= capacity) {
      Iterator<Key> it = entries.keySet().iterator();
      if (it.hasNext()) {
        it.next();
        it.remove();
      }
    }
    entries.put(new Key(credentialId, version), new Entry(wrapped.clone(), dataKey));
  }

  /** Drops every version of {@code credentialId} (rotated or deleted). */
  void forget(String credentialId) {
    entries.keySet().removeIf(k -> k.credentialId().equals(credentialId));
  }

  void clear() {
    entries.clear();
  }

  int size() {
    return entries.size();
  }
}
