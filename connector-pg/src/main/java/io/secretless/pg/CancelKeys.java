package io.secretless.pg;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import io.secretless.pg.message.BackendKeyData;
import io.secretless.pg.message.CancelRequest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's cancel keys: each client gets a {@link BackendKeyData} of the broker's making,
 * mapped to the real backend's key, so a {@link CancelRequest} can be forwarded to the right
 * backend with the real key while the client never learns it. An entry lives as long as its client
 * connection.
 */
final class CancelKeys {
  /**
   * A DRBG per thread (event loops register keys): the default NativePRNG takes a lock shared by
   * the whole JVM and mixes in /dev/urandom reads on every call, which showed in profiles of
   * connection churn. Each DRBG instance is seeded from the system's entropy source.
   */
  private static final FastThreadLocal<SecureRandom> RANDOM =
      new FastThreadLocal<>() {
        @Override
        protected SecureRandom initialValue() {
          try {
            return SecureRandom.getInstance("DRBG");
          } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
          }
        }
      };

  private final ConcurrentHashMap<Long, BackendKeyData> keys = new ConcurrentHashMap<>();

  /** Registers the backend's key for {@code client}; returns the key to give the client. */
  BackendKeyData register(Channel client, BackendKeyData backend) {
    SecureRandom random = RANDOM.get();
    while (true) {
      BackendKeyData mine =
          new BackendKeyData(random.nextInt(1, Integer.MAX_VALUE), random.nextInt());
      long id = id(mine.processId(), mine.secretKey());
      if (keys.putIfAbsent(id, backend) == null) {
        client.closeFuture().addListener(f -> keys.remove(id));
        return mine;
      }
    }
  }

  /** The backend key behind the broker's key quoted in {@code request}. */
  Optional<BackendKeyData> lookup(CancelRequest request) {
    return Optional.ofNullable(keys.get(id(request.processId(), request.secretKey())));
  }

  int size() {
    return keys.size();
  }

  private static long id(int processId, int secretKey) {
    return ((long) processId << 32) | (secretKey & 0xFFFFFFFFL);
  }
}
