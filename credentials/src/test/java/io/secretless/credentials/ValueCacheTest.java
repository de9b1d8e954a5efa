package io.secretless.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.core.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The cache's rules on a manual clock; the fetch function stands in for the warehouse (the real one
 * is in cli's WarehouseProviderIT). Background re-fetches run on the test thread (a direct
 * executor) unless a test holds them.
 */
class ValueCacheTest {
  private static final Duration TTL = Duration.ofSeconds(60);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile String current = "Value-One-Canary";
  private volatile RuntimeException failure;
  private final List<Runnable> held = new ArrayList<>();
  private volatile boolean holdBackground;

  private final ValueCache cache =
      new ValueCache(
          new WarehouseSettings.Cache(TTL, TTL.dividedBy(2)),
          now::get,
          task -> {
            if (holdBackground) {
              held.add(task);
            } else {
              task.run();
            }
          });

  private final Function<String, Secret> fetch =
      id -> {
        fetches.incrementAndGet();
        if (failure != null) {
          throw failure;
        }
        return Secret.of(current);
      };

  private String get() {
    try (Secret s = cache.get("db#password", fetch)) {
      return s.revealString();
    }
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aValueIsFetchedOnceAndServedUntilHalfItsTtlWithoutAnotherFetch() {
    assertThat(get()).isEqualTo("Value-One-Canary");
    advance(Duration.ofSeconds(29));
    current = "Value-Two-Canary";
    assertThat(get()).isEqualTo("Value-One-Canary");
    assertThat(get()).isEqualTo("Value-One-Canary");
    assertThat(fetches).hasValue(1);
  }

  @Test
  void pastHalfItsTtlAGetServesTheCachedValueAndRefetchesInTheBackground() {
    get();
    current = "Value-Two-Canary";
    advance(Duration.ofSeconds(31));
    holdBackground = true;
    assertThat(get()).as("served at once from the cache").isEqualTo("Value-One-Canary");
    assertThat(get()).as("one re-fetch at a time").isEqualTo("Value-One-Canary");
    assertThat(held).hasSize(1);
    held.get(0).run();
    assertThat(get()).isEqualTo("Value-Two-Canary");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void aShorterRefreshAgeReFetchesSoonerWhileTheTtlStaysTheLimit() {
    ValueCache often =
        new ValueCache(
            new WarehouseSettings.Cache(TTL, Duration.ofSeconds(10)), now::get, Runnable::run);
    try (Secret s = often.get("db#password", fetch)) {
      assertThat(s.revealString()).isEqualTo("Value-One-Canary");
    }
    current = "Value-Two-Canary";
    advance(Duration.ofSeconds(11));
    often.get("db#password", fetch).destroy(); // past the refresh age: re-fetched behind it
    try (Secret s = often.get("db#password", fetch)) {
      assertThat(s.revealString()).isEqualTo("Value-Two-Canary");
    }
    assertThat(fetches).hasValue(2);
    often.close();
  }

  @Test
  void whileTheStoreIsDownTheCachedValueServesUntilItsTtlThenTheFailureShows() {
    get();
    failure = new CredentialException("warehouse credential db#password: warehouse unreachable");
    advance(Duration.ofSeconds(31));
    assertThat(get()).isEqualTo("Value-One-Canary"); // the re-fetch failed in the background
    assertThat(get()).as("no retry within a second").isEqualTo("Value-One-Canary");
    assertThat(fetches).hasValue(2);
    advance(Duration.ofSeconds(2));
    assertThat(get()).isEqualTo("Value-One-Canary");
    assertThat(fetches).as("retried after a second").hasValue(3);

    advance(Duration.ofSeconds(28)); // 61 s after the fetch
    assertThatThrownBy(this::get)
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("warehouse unreachable");
    failure = null;
    current = "Value-Two-Canary";
    assertThat(get()).isEqualTo("Value-Two-Canary");
  }

  @Test
  void getIfCachedAnswersOnlyFromAFreshValueAndNeverFetchesInTheForeground() {
    assertThat(cache.getIfCached("db#password", fetch)).isEmpty();
    assertThat(fetches).hasValue(0);
    get();
    try (Secret s = cache.getIfCached("db#password", fetch).orElseThrow()) {
      assertThat(s.revealString()).isEqualTo("Value-One-Canary");
    }
    current = "Value-Two-Canary";
    holdBackground = true;
    advance(Duration.ofSeconds(31));
    try (Secret s = cache.getIfCached("db#password", fetch).orElseThrow()) {
      assertThat(s.revealString()).isEqualTo("Value-One-Canary");
    }
    assertThat(held).as("past half the ttl it starts the re-fetch too").hasSize(1);
    advance(Duration.ofSeconds(30));
    assertThat(cache.getIfCached("db#password", fetch)).as("expired").isEmpty();
    assertThat(fetches).hasValue(1);
    held.forEach(Runnable::run); // the re-fetch started above completes (late, value expired)
    assertThat(get()).as("an expired value is fetched again").isEqualTo("Value-Two-Canary");
  }

  @Test
  void aReFetchTheStoreRefusesDropsTheValueAtOnce() {
    get();
    failure = CredentialException.refused("warehouse credential db#password: not granted to x");
    advance(Duration.ofSeconds(31));
    assertThat(get()).as("served while the re-fetch runs").isEqualTo("Value-One-Canary");
    assertThatThrownBy(this::get)
        .as("the grant was revoked: no more copies, though the ttl has 29 s left")
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("not granted");
  }

  @Test
  void anExpiredValueIsFetchedAgainOnTheCallersThread() {
    get();
    current = "Value-Two-Canary";
    holdBackground = true;
    advance(Duration.ofSeconds(60));
    assertThat(get()).isEqualTo("Value-Two-Canary");
    assertThat(held).as("no background work for an expired value").isEmpty();
  }

  @Test
  void invalidateDropsTheValueSoTheNextGetFetchesTheRotatedOne() {
    get();
    current = "Value-Two-Canary";
    cache.invalidate("db#password");
    assertThat(get()).isEqualTo("Value-Two-Canary");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void aFetchUnderWayWhenTheValueIsInvalidatedIsNotCached() throws Exception {
    CountDownLatch inFetch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Function<String, Secret> slow =
        id -> {
          fetches.incrementAndGet();
          inFetch.countDown();
          await(release);
          return Secret.of("Read-Before-Rotation-Canary");
        };
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> first =
          pool.submit(
              () -> {
                try (Secret s = cache.get("db#password", slow)) {
                  return s.revealString();
                }
              });
      inFetch.await();
      cache.invalidate("db#password");
      release.countDown();
      assertThat(first.get())
          .as("its caller still gets it")
          .isEqualTo("Read-Before-Rotation-Canary");
    }
    current = "Value-Two-Canary";
    assertThat(get()).as("but it was not cached").isEqualTo("Value-Two-Canary");
  }

  @Test
  void concurrentGetsOfAMissingValueShareOneFetchAndItsFailure() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    failure = new CredentialException("warehouse credential db#password: HTTP 503");
    Function<String, Secret> gated =
        id -> {
          await(release);
          return fetch.apply(id);
        };
    List<Future<String>> results = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 50; i++) {
        results.add(
            pool.submit(
                () -> {
                  try (Secret s = cache.get("db#password", gated)) {
                    return s.revealString();
                  }
                }));
      }
      // Lets them queue up behind the first fetch; the assertions hold however many made it.
      Thread.sleep(200);
      release.countDown();
      for (Future<String> r : results) {
        assertThatThrownBy(r::get).hasRootCauseInstanceOf(CredentialException.class);
      }
    }

    failure = null;
    fetches.set(0);
    CountDownLatch again = new CountDownLatch(1);
    Function<String, Secret> gated2 =
        id -> {
          await(again);
          return fetch.apply(id);
        };
    results.clear();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 50; i++) {
        results.add(
            pool.submit(
                () -> {
                  try (Secret s = cache.get("db#password", gated2)) {
                    return s.revealString();
                  }
                }));
      }
      Thread.sleep(200); // as above: a late get finds the value cached, still one fetch
      again.countDown();
      for (Future<String> r : results) {
        assertThat(r.get()).isEqualTo("Value-One-Canary");
      }
    }
    assertThat(fetches).as("single flight: 50 gets, one fetch").hasValue(1);
  }

  @Test
  void everyGetReturnsACopyAndCloseZeroesTheCachedOnes() {
    Secret first = cache.get("db#password", fetch);
    first.destroy();
    assertThat(get()).as("destroying a copy leaves the cache's").isEqualTo("Value-One-Canary");
    cache.close();
    assertThat(get()).as("after close: fetched again").isEqualTo("Value-One-Canary");
    assertThat(fetches).hasValue(2);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
