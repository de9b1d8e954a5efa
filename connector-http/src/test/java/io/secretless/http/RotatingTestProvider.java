package io.secretless.http;

import io.secretless.core.Secret;
import io.secretless.credentials.CredentialProvider;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code from: test-rotating}: a caching provider in miniature. Every id has one cached value,
 * served until {@link #invalidate} drops it; the next get then "fetches" the source value. Counts
 * fetches and invalidations. State is static: {@link java.util.ServiceLoader} makes the instance.
 */
public final class RotatingTestProvider implements CredentialProvider {
  private static String cached;
  private static String source;
  static final AtomicInteger FETCHES = new AtomicInteger();
  static final AtomicInteger INVALIDATIONS = new AtomicInteger();

  /** Serves {@code cachedValue} until invalidated, then {@code sourceValue}. */
  static synchronized void reset(String cachedValue, String sourceValue) {
    cached = cachedValue;
    source = sourceValue;
    FETCHES.set(0);
    INVALIDATIONS.set(0);
  }

  @Override
  public String name() {
    return "test-rotating";
  }

  @Override
  public Secret get(String id) {
    synchronized (RotatingTestProvider.class) {
      if (cached == null) {
        FETCHES.incrementAndGet();
        cached = source;
      }
      return Secret.of(cached);
    }
  }

  @Override
  public boolean invalidate(String id) {
    synchronized (RotatingTestProvider.class) {
      INVALIDATIONS.incrementAndGet();
      cached = null;
      return true;
    }
  }
}
