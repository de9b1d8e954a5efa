package io.secretless.credentials;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push of rotations: one virtual thread long-polls the warehouse's change feed ({@code GET
 * /v1/changes?after=N&wait=30s}) and drops from the {@link ValueCache} every cached {@code get:}
 * text of a credential that was rotated, deleted or revoked; the next connection fetches the new
 * value once (single flight). Dropping, not re-fetching: nothing is fetched that no one needs.
 *
 * <ul>
 *   <li>Mapping: the provider reports each fetch's {@code get:} text and credential id ({@link
 *       #fetched}); a change to an id drops all its texts ({@code db}, the id itself, {@code
 *       db#password}, ...). A fetch during which any change arrived is not cached (it may have read
 *       the value before the rotation, and its id may not have been known when the change came).
 *   <li>Failure: unreachable, timed out, 5xx, or the broker's client refused: one WARN for the
 *       outage, retries after 1 s doubling to 30 s, one INFO when the feed answers again; the feed
 *       replays everything after the last {@code next}, so nothing is missed. Meanwhile the cache
 *       keeps its ttl and refresh. Another 4xx (a cursor the warehouse does not know): every cached
 *       value is dropped and a new starting point taken. 404 (a warehouse without the feed): one
 *       WARN, and the watcher stops.
 *   <li>Each new starting point drops the whole cache once, since a rotation before it would not be
 *       reported.
 *   <li>Logs name credential ids, {@code get:} texts and the warehouse URL, never a value or token.
 * </ul>
 */
final class ChangeWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeWatcher.class);
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  static final Duration MAX_PAUSE = Duration.ofSeconds(30);

  /** One change the feed reported. */
  record Change(String credentialId, String action) {}

  /** What one poll got, apart from outages (thrown as {@link CredentialException}). */
  sealed interface Answer {
    /** Changes, and the seq to poll after next. */
    record Page(long next, List<Change> changes) implements Answer {}

    /** No change feed at this warehouse (404). */
    record NoFeed() implements Answer {}

    /** The poll itself was refused (a 4xx other than 401/404). */
    record Refused(String why) implements Answer {}
  }

  /** The warehouse's feed; the real one is {@link WarehouseClient#changes}. */
  @FunctionalInterface
  interface Feed {
    Answer poll(OptionalLong after, Duration wait);
  }

  /** How the watcher waits between attempts (a stand-in in tests). */
  @FunctionalInterface
  interface Pause {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final Feed feed;
  private final ValueCache cache;
  private final Pause pause;
  private final String where;
  private final ConcurrentHashMap<String, Set<String>> texts = new ConcurrentHashMap<>();
  private final AtomicLong changes = new AtomicLong();
  private volatile boolean closed;
  private volatile boolean connected;
  private volatile Thread thread;

  ChangeWatcher(Feed feed, ValueCache cache, Pause pause, String where) {
    this.feed = feed;
    this.cache = cache;
    this.pause = pause;
    this.where = where;
  }

  /** Starts watching on a virtual thread of its own. */
  ChangeWatcher start() {
    thread = Thread.ofVirtual().name("secretless-warehouse-push").start(this::run);
    return this;
  }

  /** A counter of changes received; read it before a fetch and pass it to {@link #fetched}. */
  long changesSeen() {
    return changes.get();
  }

  /**
   * The fetch of {@code text} that began when {@link #changesSeen} was {@code seenBefore} got the
   * credential {@code credentialId}; drops it again if a change arrived meanwhile.
   */
  void fetched(String text, String credentialId, long seenBefore) {
    texts.computeIfAbsent(credentialId, k -> ConcurrentHashMap.newKeySet()).add(text);
    if (changes.get() != seenBefore) {
      cache.drop(text); // this fetch caches nothing
    }
  }

  void run() {
    OptionalLong next = OptionalLong.empty();
    Duration delay = FIRST_PAUSE;
    boolean down = false;
    while (!closed) {
      Answer answer;
      try {
        // After an outage the first poll does not wait, so the recovery shows at once.
        answer = feed.poll(next, next.isPresent() && !down ? WAIT : Duration.ZERO);
      } catch (RuntimeException e) {
        connected = false;
        if (closed) {
          return;
        }
        if (!down) {
          log.warn(
              "{}; push of rotations paused, retrying every {}-{} s (cached values meanwhile"
                  + " change at their refresh)",
              e.getMessage(),
              FIRST_PAUSE.toSeconds(),
              MAX_PAUSE.toSeconds());
          down = true;
        }
        if (!sleep(delay)) {
          return;
        }
        delay = longer(delay);
        continue;
      }
      if (down) {
        log.info("warehouse change feed at {} answers again; push of rotations resumed", where);
        down = false;
      }
      switch (answer) {
        case Answer.Page page -> {
          delay = FIRST_PAUSE;
          if (next.isEmpty()) {
            cache.invalidateAll(); // a rotation before this starting point would go unreported
            log.info(
                "watching the change feed of the warehouse at {} from audit seq {}",
                where,
                page.next());
          }
          page.changes().forEach(this::drop);
          next = OptionalLong.of(page.next());
          connected = true;
        }
        case Answer.NoFeed none -> {
          connected = false;
          log.warn(
              "the warehouse at {} has no change feed (GET /v1/changes: 404, an older warehouse?);"
                  + " push of rotations is off, cached values change at their refresh",
              where);
          return;
        }
        case Answer.Refused refused -> {
          connected = false;
          log.warn(
              "{}; dropping every cached value and polling from a new starting point",
              refused.why());
          cache.invalidateAll();
          next = OptionalLong.empty();
          if (!sleep(delay)) {
            return;
          }
          delay = longer(delay);
        }
      }
    }
  }

  /** Drops every cached text of the change's credential. */
  void drop(Change change) {
    changes.incrementAndGet(); // before reading texts: a fetch racing us sees one or the other
    Set<String> cached = texts.getOrDefault(change.credentialId(), Set.of());
    cached.forEach(cache::dropPushed);
    if (cached.isEmpty()) {
      log.debug(
          "warehouse credential {} {}: none of it cached", change.credentialId(), change.action());
    } else {
      log.info(
          "warehouse credential {} {}: dropped from the cache (get: {})",
          change.credentialId(),
          change.action(),
          String.join(", ", cached));
    }
  }

  private boolean sleep(Duration delay) {
    try {
      pause.sleep(delay);
      return !closed;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private static Duration longer(Duration delay) {
    Duration twice = delay.multipliedBy(2);
    return twice.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : twice;
  }

  /**
   * Whether the change feed answered the last poll with a page: false before the first answer,
   * during an outage, after a refused poll or a 404 (no feed), and once closed.
   */
  boolean connected() {
    return connected && !closed;
  }

  /** Whether the watcher's thread still runs (for tests). */
  boolean running() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  /** Stops the poll under way (its socket is closed) and waits for the thread to end. */
  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
