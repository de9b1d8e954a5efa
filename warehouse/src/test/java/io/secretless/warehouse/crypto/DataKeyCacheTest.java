package io.secretless.warehouse.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DataKeyCacheTest {
  private static DataKey key() {
    return new DataKey(new byte[32]);
  }

  @Test
  void answersOnlyForTheExactWrappedKeyItWasFilledWith() throws Exception {
    var cache = new DataKeyCache(10);
    DataKey k = key();
    cache.put("c1", 1, new byte[] {1, 2, 3}, k);
    assertThat(cache.get("c1", 1, new byte[] {1, 2, 3})).isSameAs(k);
    assertThat(cache.get("c1", 1, new byte[] {1, 2, 4})).isNull();
    assertThat(cache.get("c1", 2, new byte[] {1, 2, 3})).isNull();
    assertThat(cache.get("c2", 1, new byte[] {1, 2, 3})).isNull();
  }

  @Test
  void holdsAtMostItsCapacity() throws Exception {
    var cache = new DataKeyCache(3);
    for (int i = 0; i < 10; i++) {
      cache.put("c" + i, 1, new byte[] {(byte) i}, key());
    }
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get("c9", 1, new byte[] {9})).isNotNull();
  }

  @Test
  void forgetDropsEveryVersionOfOneCredentialOnly() throws Exception {
    var cache = new DataKeyCache(10);
    cache.put("c1", 1, new byte[] {1}, key());
    cache.put("c1", 2, new byte[] {2}, key());
    cache.put("c2", 1, new byte[] {3}, key());
    cache.forget("c1");
    assertThat(cache.get("c1", 1, new byte[] {1})).isNull();
    assertThat(cache.get("c1", 2, new byte[] {2})).isNull();
    assertThat(cache.get("c2", 1, new byte[] {3})).isNotNull();
    cache.clear();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aWrappedKeyChangedByTheCallerAfterPutDoesNotChangeTheEntry() throws Exception {
    var cache = new DataKeyCache(10);
    byte[] wrapped = {1, 2, 3};
    cache.put("c1", 1, wrapped, key());
    wrapped[0] = 9;
    assertThat(cache.get("c1", 1, new byte[] {1, 2, 3})).isNotNull();
  }
}
