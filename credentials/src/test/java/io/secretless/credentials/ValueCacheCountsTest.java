package io.secretless.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretless.core.Secret;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each of the cache's counts ({@link ValueCache#stats}) moves exactly when its event happens, on
 * the manual clock of {@link ValueCacheTest}; background re-fetches run on the test thread.
 */
class ValueCacheCountsTest {
  private static final Duration TTL = Duration.ofSeconds(60);
  private static final String ID = "db#password";

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private volatile RuntimeException failure;
  private final ValueCache cache =
      new ValueCache(new WarehouseSettings.Cache(TTL, TTL.dividedBy(2)), now::get, Runnable::run);
  private final Function<String, Secret> fetch =
      id -> {
        if (failure != null) {
          throw failure;
        }
        return Secret.of("Counted-Value-Canary");
      };

  @AfterEach
  void close() {
    cache.close();
  }

  private void get() {
    cache.get(ID, fetch).destroy();
  }

  private CacheStats stats() {
    return cache.stats(CacheStats.Push.OFF);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aMissIsAFetchAndEachLaterGetOrGetIfCachedIsAHit() {
    assertThat(cache.getIfCached(ID, fetch)).as("a miss on the event loop").isEmpty();
    assertThat(stats()).isEqualTo(new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, CacheStats.Push.OFF));

    get();
    assertThat(stats()).isEqualTo(new CacheStats(0, 1, 0, 0, 0, 0, 0, 1, CacheStats.Push.OFF));

    get();
    cache.getIfCached(ID, fetch).orElseThrow().destroy();
    assertThat(stats()).isEqualTo(new CacheStats(2, 1, 0, 0, 0, 0, 0, 1, CacheStats.Push.OFF));

    advance(TTL);
    get();
    assertThat(stats().fetches()).as("an expired value is fetched again").isEqualTo(2);
    assertThat(stats().hits()).isEqualTo(2);
  }

  @Test
  void aGetThatWaitsForAnotherGetsFetchCountsAsAFetchNotAHit() throws Exception {
    CountDownLatch inFetch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Function<String, Secret> slow =
        id -> {
          inFetch.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Secret.of("Counted-Value-Canary");
        };
    Thread first = Thread.ofVirtual().start(() -> cache.get(ID, slow).destroy());
    inFetch.await();
    Thread second = Thread.ofVirtual().start(() -> cache.get(ID, slow).destroy());
    await().atMost(Duration.ofSeconds(10)).until(() -> second.getState() == Thread.State.WAITING);
    release.countDown();
    first.join();
    second.join();
    assertThat(stats().fetches()).isEqualTo(2);
    assertThat(stats().hits()).isZero();
  }

  @Test
  void aRefreshIsCountedWhenItStartsAndAFailedOneOnlyWhenTheStoreIsDown() {
    get();
    advance(Duration.ofSeconds(31));
    get(); // served, and a re-fetch that succeeds
    assertThat(stats().refreshes()).isEqualTo(1);
    assertThat(stats().refreshFailures()).isZero();

    advance(Duration.ofSeconds(31));
    failure = new CredentialException("warehouse credential db#password: warehouse unreachable");
    get();
    assertThat(stats().refreshes()).isEqualTo(2);
    assertThat(stats().refreshFailures()).isEqualTo(1);
    get();
    assertThat(stats().refreshes()).as("no retry within a second").isEqualTo(2);
    advance(Duration.ofSeconds(2));
    get();
    assertThat(stats().refreshes()).isEqualTo(3);
    assertThat(stats().refreshFailures()).isEqualTo(2);
    assertThat(stats().refused()).isZero();
    assertThat(stats().entries()).as("the value kept serving").isEqualTo(1);
    assertThat(stats().hits()).isEqualTo(4);
  }

  @Test
  void aRefusedRefreshIsCountedAsRefusedAndDropsTheEntry() {
    get();
    advance(Duration.ofSeconds(31));
    failure = CredentialException.refused("warehouse credential db#password: not granted to x");
    get();
    assertThat(stats().refused()).isEqualTo(1);
    assertThat(stats().refreshFailures()).as("a verdict is not an outage").isZero();
    assertThat(stats().entries()).isZero();
    assertThatThrownBy(this::get).isInstanceOf(CredentialException.class);
    assertThat(stats().refused()).as("a failed fetch drops nothing").isEqualTo(1);
  }

  @Test
  void invalidateAndPushedDropsAreCountedApartAndOnlyWhenAValueWasHeld() {
    get();
    cache.invalidate(ID);
    cache.invalidate(ID); // nothing held any more
    assertThat(stats().invalidated()).isEqualTo(1);
    assertThat(stats().entries()).isZero();

    get();
    cache.dropPushed(ID);
    cache.dropPushed("api"); // never cached
    assertThat(stats().pushed()).isEqualTo(1);

    get();
    cache.drop(ID);
    cache.invalidateAll();
    assertThat(stats().invalidated()).as("uncounted drops").isEqualTo(1);
    assertThat(stats().pushed()).isEqualTo(1);
    assertThat(stats().fetches()).isEqualTo(3);
  }

  @Test
  void entriesCountTheValuesHeldNow() {
    get();
    cache.get("api", fetch).destroy();
    assertThat(stats().entries()).isEqualTo(2);
    cache.close();
    assertThat(stats().entries()).isZero();
  }
}
