package io.secretless.credentials;

import io.secretless.core.Secret;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Values a provider fetched, each served for a time to live counted from the start of its fetch.
 *
 * <ul>
 *   <li>A get of a value older than the refresh age (by default half the ttl) also starts one
 *       background re-fetch of it; the new value replaces the old. If that fails for want of the
 *       store (unreachable, timed out, 5xx), the old value keeps serving until its ttl ends,
 *       another re-fetch is tried at most once a second, and each failure is one WARN line. So a
 *       busy value is re-fetched about once per refresh age and outlives an outage of up to the ttl
 *       less the refresh age. A re-fetch the store {@linkplain CredentialException#refused refuses}
 *       (not granted, deleted, expired) drops the value at once instead: a verdict is not an
 *       outage.
 *   <li>A get of a missing or expired value fetches on the caller's thread; concurrent gets of the
 *       same id wait for that one fetch (single flight) and share its failure.
 *   <li>{@link #invalidate} drops a value at once (a backend refused it), and a fetch already under
 *       way then keeps nothing, since it may have read the value before a rotation.
 *   <li>Every get returns a copy the caller destroys. The cache zeroes its own copies when they are
 *       replaced, dropped or found expired, and all of them on {@link #close}.
 * </ul>
 *
 * <p>It counts what it does ({@link #stats}) in {@link LongAdder}s: the event loop's {@link
 * #getIfCached} adds one without contention between loops.
 */
final class ValueCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ValueCache.class);
  private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();
  private static final int ATTEMPTS = 3;

  private final long ttlNanos;
  private final long refreshNanos;
  private final LongSupplier clock;
  private final Executor background;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<Void>> fetching =
      new ConcurrentHashMap<>();
  private final LongAdder hits = new LongAdder();
  private final LongAdder fetches = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final LongAdder refreshFailures = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder invalidated = new LongAdder();
  private final LongAdder pushed = new LongAdder();

  ValueCache(WarehouseSettings.Cache settings, LongSupplier clock, Executor background) {
    this.ttlNanos = settings.ttl().toNanos();
    this.refreshNanos = settings.refresh().toNanos();
    this.clock = clock;
    this.background = background;
  }

  /** The value of {@code id}, cached or fetched with {@code fetch}; the caller destroys it. */
  Secret get(String id, Function<String, Secret> fetch) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<Secret> cached = cached(id, fetch);
      if (cached.isPresent()) {
        if (attempt == 0) {
          hits.increment(); // else it is the value of the fetch this get waited for
        }
        return cached.get();
      }
      if (attempt == 0) {
        fetches.increment();
      }
      CompletableFuture<Void> mine = new CompletableFuture<>();
      CompletableFuture<Void> running = fetching.putIfAbsent(id, mine);
      if (running == null) {
        return load(id, fetch, mine);
      }
      try {
        running.join(); // then read what it cached; if it cached nothing, fetch again
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    // Invalidated under our feet every time: serve this caller without the cache.
    return fetch.apply(id);
  }

  /**
   * A copy of the value of {@code id} if it is cached and fresh, else empty; never waits (the event
   * loop calls it). Past the refresh age it starts the background re-fetch, with {@code fetch}.
   */
  Optional<Secret> getIfCached(String id, Function<String, Secret> fetch) {
    Optional<Secret> cached = cached(id, fetch);
    if (cached.isPresent()) {
      hits.increment();
    }
    return cached;
  }

  private Optional<Secret> cached(String id, Function<String, Secret> fetch) {
    long now = clock.getAsLong();
    Entry entry = entries.get(id);
    if (entry == null) {
      return Optional.empty();
    }
    if (now - entry.fetched >= ttlNanos) {
      if (entries.remove(id, entry)) {
        entry.destroy(); // expired: zeroed now, not when some later fetch sweeps
      }
      return Optional.empty();
    }
    Secret copy = entry.copy();
    if (copy != null && now - entry.refreshAfter >= 0) {
      refreshInBackground(id, fetch, entry, now);
    }
    return Optional.ofNullable(copy);
  }

  /**
   * Fetches {@code id}, caches a copy unless it was invalidated meanwhile (the fetch is no longer
   * the registered one), and returns the value itself.
   */
  private Secret load(String id, Function<String, Secret> fetch, CompletableFuture<Void> mine) {
    long started = clock.getAsLong();
    Secret value;
    try {
      value = fetch.apply(id);
    } catch (Throwable e) { // waiters must never be left waiting, whatever was thrown
      fetching.remove(id, mine);
      mine.completeExceptionally(e);
      throw e;
    }
    try {
      if (fetching.remove(id, mine)) {
        Entry old = entries.put(id, new Entry(value.copy(), started, started + refreshNanos));
        if (old != null) {
          old.destroy();
        }
        sweep(started);
      }
    } finally {
      mine.complete(null);
    }
    return value;
  }

  private void refreshInBackground(
      String id, Function<String, Secret> fetch, Entry entry, long now) {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    if (fetching.putIfAbsent(id, mine) != null) {
      return;
    }
    entry.refreshAfter = now + ttlNanos; // no second trigger while this one runs
    refreshes.increment();
    background.execute(
        () -> {
          try {
            load(id, fetch, mine).destroy();
          } catch (CredentialException e) {
            if (e.refused()) { // revoked, deleted, expired: a verdict, not an outage
              if (drop(id)) {
                refused.increment();
              }
              log.warn("{}; dropped from the cache", e.getMessage());
              return;
            }
            keepServing(entry, e);
          } catch (RuntimeException e) {
            keepServing(entry, e);
          }
        });
  }

  /** A re-fetch failed for want of the store: the cached value serves on until its ttl ends. */
  private void keepServing(Entry entry, RuntimeException e) {
    refreshFailures.increment();
    entry.refreshAfter = clock.getAsLong() + RETRY_NANOS;
    long left = Math.max(0, entry.fetched + ttlNanos - clock.getAsLong());
    log.warn(
        "{}; the cached value serves {} s more, until its ttl ends",
        e.getMessage(),
        left / 1_000_000_000L);
  }

  /**
   * A backend refused the value of {@code id}: drops it, and a fetch of it under way will not cache
   * what it gets.
   */
  void invalidate(String id) {
    if (drop(id)) {
      invalidated.increment();
    }
  }

  /** The change feed reported the credential of {@code id} changed: drops it as {@link #drop}. */
  void dropPushed(String id) {
    if (drop(id)) {
      pushed.increment();
    }
  }

  /**
   * Drops the value of {@code id}, uncounted; a fetch of it under way will not cache what it gets.
   * True when a value was held.
   */
  boolean drop(String id) {
    fetching.remove(id);
    Entry old = entries.remove(id);
    if (old != null) {
      old.destroy();
    }
    return old != null;
  }

  /** Drops every value, uncounted; fetches under way will not cache what they get. */
  void invalidateAll() {
    fetching.clear();
    entries.keySet().forEach(this::drop);
  }

  /** The counts so far and the number of values held now; {@code push} as the caller knows it. */
  CacheStats stats(CacheStats.Push push) {
    return new CacheStats(
        hits.sum(),
        fetches.sum(),
        refreshes.sum(),
        refreshFailures.sum(),
        refused.sum(),
        invalidated.sum(),
        pushed.sum(),
        entries.size(),
        push);
  }

  /** Zeroes expired values no get has come for (ids of services no longer configured, say). */
  private void sweep(long now) {
    entries.forEach(
        (id, entry) -> {
          if (now - entry.fetched >= ttlNanos && entries.remove(id, entry)) {
            entry.destroy();
          }
        });
  }

  @Override
  public void close() {
    entries.values().forEach(Entry::destroy);
    entries.clear();
  }

  /** A cached copy; copying and zeroing exclude each other, so no copy is taken half-zeroed. */
  private static final class Entry {
    private final Secret value;
    final long fetched;
    volatile long refreshAfter;

    Entry(Secret value, long fetched, long refreshAfter) {
      this.value = value;
      this.fetched = fetched;
      this.refreshAfter = refreshAfter;
    }

    /** A copy, or null once zeroed. */
    synchronized Secret copy() {
      return value.isDestroyed() ? null : value.copy();
    }

    synchronized void destroy() {
      value.destroy();
    }
  }
}
