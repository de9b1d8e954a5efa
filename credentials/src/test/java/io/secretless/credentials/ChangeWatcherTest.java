package io.secretless.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.secretless.core.Secret;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The watcher's mapping of credential ids to {@code get:} texts and its failure handling, against a
 * stand-in feed (a script of answers and outages) and a stand-in pause that only records; {@link
 * ChangeWatcher#run} runs on the test's thread until the script ends.
 */
class ChangeWatcherTest {
  private static final Duration TTL = Duration.ofMinutes(5);
  private final ValueCache cache =
      new ValueCache(new WarehouseSettings.Cache(TTL, TTL.dividedBy(2)), () -> 0L, Runnable::run);
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, Integer> fetches = new HashMap<>();
  private final Deque<Supplier<ChangeWatcher.Answer>> script = new ArrayDeque<>();
  private final List<OptionalLong> polledAfter = new ArrayList<>();
  private final List<Duration> waits = new ArrayList<>();
  private final List<Duration> pauses = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ChangeWatcher.class);
  private ChangeWatcher watcher;

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.DEBUG);
    watcher =
        new ChangeWatcher(
            (after, wait) -> {
              polledAfter.add(after);
              waits.add(wait);
              if (script.isEmpty()) {
                watcher.close(); // the end of the script: run() returns
                throw new CredentialException("script over");
              }
              return script.poll().get();
            },
            cache,
            pauses::add,
            "http://warehouse.test");
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
    logger.setLevel(null);
    cache.close();
  }

  /** A get through the cache; a miss fetches {@code text} and maps it to its credential. */
  private String get(String text, String credentialId) {
    try (Secret s =
        cache.get(
            text,
            t -> {
              long seen = watcher.changesSeen();
              fetches.merge(t, 1, Integer::sum);
              Secret v = Secret.of(values.getOrDefault(t, "Value-Canary-" + t));
              watcher.fetched(t, credentialId, seen);
              return v;
            })) {
      return s.revealString();
    }
  }

  private static Supplier<ChangeWatcher.Answer> page(long next, ChangeWatcher.Change... changes) {
    return () -> new ChangeWatcher.Answer.Page(next, List.of(changes));
  }

  private static Supplier<ChangeWatcher.Answer> outage() {
    return () -> {
      throw new CredentialException(
          "warehouse change feed: the warehouse at http://warehouse.test is unreachable");
    };
  }

  private List<String> lines(Level level) {
    return logs.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private void getAll() {
    get("db", "cred-1");
    get("cred-1", "cred-1");
    get("pg#password", "cred-2");
    get("pg#username", "cred-2");
    get("api", "cred-3");
  }

  @Test
  void aRotationDropsEveryCachedGetTextOfItsCredentialAndNothingElse() {
    script.add(page(10));
    script.add(
        () -> {
          getAll(); // cached after the starting point
          return new ChangeWatcher.Answer.Page(
              12, List.of(new ChangeWatcher.Change("cred-2", "rotate")));
        });
    watcher.run();
    getAll();
    assertThat(fetches)
        .containsEntry("db", 1)
        .containsEntry("cred-1", 1)
        .containsEntry("pg#password", 2)
        .containsEntry("pg#username", 2)
        .containsEntry("api", 1);
    assertThat(polledAfter)
        .containsExactly(OptionalLong.empty(), OptionalLong.of(10), OptionalLong.of(12));
    assertThat(lines(Level.INFO))
        .hasSize(2)
        .first()
        .isEqualTo(
            "watching the change feed of the warehouse at http://warehouse.test from audit seq 10");
    assertThat(lines(Level.INFO).getLast())
        .startsWith("warehouse credential cred-2 rotate: dropped from the cache (get: ")
        .contains("pg#password", "pg#username");
  }

  @Test
  void theFirstStartingPointDropsWhatWasCachedBeforeIt() {
    getAll();
    script.add(page(10));
    watcher.run();
    getAll();
    assertThat(fetches.values()).containsOnly(2);
  }

  @Test
  void aChangeToAnUncachedCredentialDropsNothingAndLogsOnlyAtDebug() {
    script.add(page(1));
    script.add(
        () -> {
          get("db", "cred-1");
          return new ChangeWatcher.Answer.Page(
              2, List.of(new ChangeWatcher.Change("cred-9", "delete")));
        });
    watcher.run();
    get("db", "cred-1");
    assertThat(fetches).containsEntry("db", 1);
    assertThat(lines(Level.INFO)).hasSize(1); // the starting point
    assertThat(lines(Level.DEBUG))
        .containsExactly("warehouse credential cred-9 delete: none of it cached");
  }

  @Test
  void aFetchDuringWhichAChangeArrivedIsServedButNotCached() {
    script.add(page(1));
    watcher.run();
    String value =
        cache
            .get(
                "db",
                t -> {
                  long seen = watcher.changesSeen();
                  watcher.drop(new ChangeWatcher.Change("cred-1", "rotate")); // id not yet known
                  watcher.fetched(t, "cred-1", seen);
                  return Secret.of("Maybe-Stale-Canary");
                })
            .revealString();
    assertThat(value).isEqualTo("Maybe-Stale-Canary");
    get("db", "cred-1");
    assertThat(fetches).as("fetched again: nothing was cached").containsEntry("db", 1);
  }

  @Test
  void anOutageIsOneWarnThenBackoffDoublingTo30sThenOneInfoAndThePollGoesOnFromNext() {
    script.add(page(5));
    for (int i = 0; i < 7; i++) {
      script.add(outage());
    }
    script.add(page(6, new ChangeWatcher.Change("cred-1", "rotate")));
    get("db", "cred-1");
    watcher.run();

    assertThat(pauses)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30));
    assertThat(polledAfter.subList(1, 9)).containsOnly(OptionalLong.of(5));
    assertThat(polledAfter.get(9)).as("replayed by the feed from next").hasValue(6);
    Duration held = ChangeWatcher.WAIT;
    Duration now = Duration.ZERO;
    assertThat(waits)
        .as("the start and every poll while down do not wait, so a recovery shows at once")
        .containsExactly(now, held, now, now, now, now, now, now, now, held);
    assertThat(lines(Level.WARN))
        .as("one line for the whole outage")
        .singleElement()
        .asString()
        .startsWith("warehouse change feed: the warehouse at http://warehouse.test is unreachable;")
        .contains("push of rotations paused");
    assertThat(lines(Level.INFO).subList(1, 3))
        .containsExactly(
            "warehouse change feed at http://warehouse.test answers again; push of rotations"
                + " resumed",
            "warehouse credential cred-1 rotate: dropped from the cache (get: db)");
  }

  @Test
  void aRefusedPollDropsTheWholeCacheAndStartsFromANewStartingPoint() {
    script.add(page(5));
    script.add(() -> new ChangeWatcher.Answer.Refused("warehouse change feed: HTTP 400"));
    script.add(page(3)); // a restored store: a lower head
    get("db", "cred-1");
    watcher.run();
    get("db", "cred-1");
    assertThat(polledAfter)
        .containsExactly(
            OptionalLong.empty(), OptionalLong.of(5), OptionalLong.empty(), OptionalLong.of(3));
    assertThat(fetches).containsEntry("db", 2);
    assertThat(lines(Level.WARN).getFirst())
        .isEqualTo(
            "warehouse change feed: HTTP 400; dropping every cached value and polling from a new"
                + " starting point");
  }

  @Test
  void aWarehouseWithoutTheFeedStopsTheWatcherWithOneWarn() {
    script.add(ChangeWatcher.Answer.NoFeed::new);
    script.add(page(1));
    watcher.run();
    assertThat(polledAfter).hasSize(1);
    assertThat(lines(Level.WARN))
        .singleElement()
        .asString()
        .contains("has no change feed")
        .contains("push of rotations is off");
  }

  @Test
  void connectedIsTrueOnlyFromAnAnsweredPageUntilAnOutageARefusalOrClose() {
    List<Boolean> seen = new ArrayList<>();
    Supplier<ChangeWatcher.Answer> down = outage();
    script.add(
        () -> {
          seen.add(watcher.connected()); // before the first answer
          return page(5).get();
        });
    script.add(
        () -> {
          seen.add(watcher.connected());
          return down.get();
        });
    script.add(
        () -> {
          seen.add(watcher.connected()); // during the outage
          return new ChangeWatcher.Answer.Refused("warehouse change feed: HTTP 400");
        });
    script.add(
        () -> {
          seen.add(watcher.connected());
          return page(6).get();
        });
    script.add(
        () -> {
          seen.add(watcher.connected());
          return new ChangeWatcher.Answer.NoFeed();
        });
    watcher.run();
    assertThat(seen).containsExactly(false, true, false, false, true);
    assertThat(watcher.connected()).as("no feed").isFalse();
  }

  @Test
  void aPushedChangeCountsEachCachedTextItDrops() {
    script.add(page(1));
    script.add(
        () -> {
          getAll();
          return page(
                  2,
                  new ChangeWatcher.Change("cred-2", "rotate"),
                  new ChangeWatcher.Change("cred-9", "delete"))
              .get();
        });
    watcher.run();
    assertThat(cache.stats(CacheStats.Push.OFF).pushed())
        .as("pg#password and pg#username; cred-9 had nothing cached")
        .isEqualTo(2);
    assertThat(cache.stats(CacheStats.Push.OFF).invalidated()).isZero();
  }
}
