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
   * Random bytes per thread (event loops register keys), drawn from a DRBG 1 KiB at a time: the
   * default NativePRNG takes a JVM-wide lock and reads /dev/urandom on every call, and even a DRBG
   * call per key showed in profiles of connection churn. Each DRBG is seeded from the system's
   * entropy source; the bytes are used once.
   */
  private static final FastThreadLocal<RandomBytes> RANDOM =
      new FastThreadLocal<>() {
        @Override
        protected RandomBytes initialValue() {
          return new RandomBytes();
        }
      };

  private static final class RandomBytes {
    private final SecureRandom random;
    private final byte[] bytes = new byte[1024];
    private int next = bytes.length;

    RandomBytes() {
      SecureRandom r;
      try {
        r = SecureRandom.getInstance("DRBG");
      } catch (NoSuchAlgorithmException e) {
        r = new SecureRandom();
      }
      random = r;
    }

    int nextInt() {
      if (next + 4 > bytes.length) {
        random.nextBytes(bytes);
        next = 0;
      }
      int value =
          (bytes[next] & 0xFF) << 24
              | (bytes[next + 1] & 0xFF) << 16
              | (bytes[next + 2] & 0xFF) << 8
              | (bytes[next + 3] & 0xFF);
      java.util.Arrays.fill(bytes, next, next + 4, (byte) 0);
      next += 4;
      return value;
    }
  }

  private final ConcurrentHashMap<Long, BackendKeyData> keys = new ConcurrentHashMap<>();

  /** Registers the backend's key for {@code client}; returns the key to give the client. */
  BackendKeyData register(Channel client, BackendKeyData backend) {
    RandomBytes random = RANDOM.get();
    while (true) {
      int processId = random.nextInt() & Integer.MAX_VALUE;
      if (processId == 0) {
        continue;
      }
      BackendKeyData mine = new BackendKeyData(processId, random.nextInt());
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
