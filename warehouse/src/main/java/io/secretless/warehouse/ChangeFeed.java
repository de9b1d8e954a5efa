package io.secretless.warehouse;

import io.secretless.warehouse.audit.AuditEvent.Outcome;
import io.secretless.warehouse.audit.AuditLog;
import io.secretless.warehouse.audit.AuditRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed ({@code GET /v1/changes}): which credentials changed value or lost a reader, read
 * from the audit log, so a broker that caches values can drop them at once.
 *
 * <ul>
 *   <li>Source: successful {@value #ROTATE}, {@value #DELETE} and {@value #REVOKE} records (the
 *       actions after which a read returns something else, or nothing), scanned by seq range.
 *   <li>Who sees what: a rotation only if the caller may read the credential now; a delete or a
 *       revocation to every caller, as the credential's id alone (nothing is left to check after a
 *       delete, a revocation takes access away from someone who then cannot be checked, and an id
 *       is opaque).
 *   <li>Holding: with a wait, a poll with nothing to report looks again every half second (so nodes
 *       sharing one PostgreSQL see each other's changes within about a second) and at once when
 *       this node commits a change ({@link #changed}). The look at the store is shared by all held
 *       polls ({@link ChangeMark}); a poll scans the log itself only when a change may be past its
 *       cursor.
 *   <li>Audit: each answered poll is one {@code changes} record (the count and the seq range); a
 *       broker holding its poll for 30 s adds about 2 900 records a day.
 * </ul>
 */
public final class ChangeFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
  static final String ROTATE = "rotate";
  static final String DELETE = "delete";
  static final String REVOKE = "revoke";
  private static final Set<String> ACTIONS = Set.of(ROTATE, DELETE, REVOKE);

  /** Changes in one answer at most; the client pages on from {@code next}. */
  public static final int PAGE = 500;

  /** Longest wait a poll may ask for. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(60);

  /** Audit records one scan covers, so a long run of reads costs bounded statements. */
  static final long SPAN = 10_000;

  private static final int SPANS_PER_POLL = 20;

  /** How often the looker looks at the store while polls are held, and how old a look may be. */
  private static final long RECHECK_NANOS = Duration.ofMillis(500).toNanos();

  private final Warehouse warehouse;
  private final AuditLog audit;
  private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads wait
  private final Condition commits = lock.newCondition();
  private long generation; // guarded by lock
  private int holds; // guarded by lock: polls held now
  private boolean looking; // guarded by lock: the looker thread runs
  private final ChangeMark marks;

  ChangeFeed(Warehouse warehouse) {
    this.warehouse = warehouse;
    this.audit = warehouse.audit;
    this.marks = new ChangeMark(audit, ACTIONS, this::generation);
  }

  /**
   * Without {@code after}: the starting point (the audit head, no changes). With it: the changes
   * after it the caller may see, up to {@link #PAGE}; when there are none yet, waits for one up to
   * {@code wait}, or until {@code stopping} turns true and {@link #wakeAll} is called.
   *
   * @throws WarehouseException BAD_REQUEST when {@code after} is past the head (a cursor from
   *     another store): poll without it for a new starting point
   */
  public ChangePage poll(
      Caller caller, OptionalLong after, Duration wait, BooleanSupplier stopping) {
    if (after.isEmpty()) {
      long head = audit.head();
      warehouse.auditor.record(caller, "changes", "*", Outcome.SUCCESS, "start at " + head);
      return new ChangePage(head, List.of());
    }
    long from = after.getAsLong();
    long head = audit.head();
    if (from > head) {
      throw warehouse.auditor.refuse(
          caller,
          "changes",
          "*",
          Outcome.INVALID,
          WarehouseException.badRequest(
              "after="
                  + from
                  + " is past the newest audit record ("
                  + head
                  + "): the cursor comes from another store; poll without after for a new"
                  + " starting point"));
    }
    long deadline = System.nanoTime() + wait.toNanos();
    ChangePage page =
        wait.isPositive()
            ? hold(caller, from, deadline, stopping)
            : holding(caller, from, deadline, stopping); // answers at once: no looker needed
    warehouse.auditor.record(
        caller,
        "changes",
        "*",
        Outcome.SUCCESS,
        page.changes().size() + " changes after " + from + ", next " + page.next());
    return page;
  }

  private ChangePage hold(Caller caller, long from, long deadline, BooleanSupplier stopping) {
    enterHold();
    try {
      return holding(caller, from, deadline, stopping);
    } finally {
      leaveHold();
    }
  }

  private ChangePage holding(Caller caller, long from, long deadline, BooleanSupplier stopping) {
    long cursor = from;
    while (true) {
      long seen = generation();
      ChangeMark.Mark mark = marks.current(System.nanoTime() - RECHECK_NANOS);
      if (mark.changesAfter(cursor)) {
        Scanned found = scan(caller, cursor);
        if (!found.visible().isEmpty() || !found.caughtUp()) {
          return new ChangePage(found.cursor(), found.visible());
        }
        cursor = found.cursor();
      } else {
        cursor = Math.max(cursor, mark.scanned()); // no change up to there: nothing to read
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || stopping.getAsBoolean()) {
        return new ChangePage(cursor, List.of());
      }
      awaitCommit(seen, left); // woken by a local commit, the looker, or the server stopping
      if (stopping.getAsBoolean()) {
        return new ChangePage(cursor, List.of());
      }
    }
  }

  /**
   * What one poll's scan found: the changes the caller sees, where it got to, and whether it
   * reached the head (else it stopped at a full page or its span budget: answer, the client pages
   * on).
   */
  private record Scanned(long cursor, List<Change> visible, boolean caughtUp) {}

  private Scanned scan(Caller caller, long from) {
    long cursor = from;
    for (int span = 0; span < SPANS_PER_POLL; span++) {
      long start = cursor;
      AuditLog.Scan scan = audit.scan(start, start + SPAN, ACTIONS, PAGE);
      List<Change> visible = visible(caller, scan.records());
      cursor = Math.max(cursor, scan.covered());
      boolean caughtUp = scan.records().size() < PAGE && scan.covered() < start + SPAN;
      if (!visible.isEmpty() || scan.records().size() == PAGE || caughtUp) {
        return new Scanned(cursor, visible, caughtUp);
      }
    }
    return new Scanned(cursor, List.of(), false);
  }

  /** The records {@code caller} may see, as changes; rotations of unreadable credentials go. */
  private List<Change> visible(Caller caller, List<AuditRecord> records) {
    if (records.isEmpty()) {
      return List.of();
    }
    Set<String> rotated = new LinkedHashSet<>();
    records.stream()
        .filter(r -> r.action().equals(ROTATE))
        .forEach(r -> rotated.add(r.credentialId()));
    Map<String, Boolean> readable = rotated.isEmpty() ? Map.of() : readable(caller, rotated);
    List<Change> out = new ArrayList<>();
    for (AuditRecord r : records) {
      if (!r.action().equals(ROTATE) || readable.getOrDefault(r.credentialId(), false)) {
        out.add(new Change(r.seq(), r.credentialId(), r.action()));
      }
    }
    return out;
  }

  /** Whether {@code caller} may read each of {@code ids} now (a deleted one: no). Not audited. */
  private Map<String, Boolean> readable(Caller caller, Set<String> ids) {
    return warehouse.db.read(
        c -> {
          Map<String, Boolean> out = new HashMap<>();
          for (String id : ids) {
            Optional<Credential> cred = warehouse.credentials.byId(c, id);
            out.put(
                id,
                cred.isPresent()
                    && (AccessPolicy.isOwnerOrAdmin(caller, cred.get())
                        || AccessPolicy.allows(
                            caller,
                            cred.get(),
                            warehouse.grants.forCredential(c, id),
                            Permission.READ)));
          }
          return out;
        });
  }

  private void enterHold() {
    lock.lock();
    try {
      holds++;
      if (!looking) {
        looking = true;
        Thread.ofVirtual().name("warehouse-change-looker").start(this::look);
      }
    } finally {
      lock.unlock();
    }
  }

  private void leaveHold() {
    lock.lock();
    try {
      holds--;
    } finally {
      lock.unlock();
    }
  }

  /**
   * While polls are held: looks at the store every half second (one look for all of them) and wakes
   * them when a change appeared, committed by this node or another sharing the store. Ends within
   * half a second of the last held poll.
   */
  private void look() {
    long newest = -1;
    while (true) {
      lock.lock();
      try {
        if (holds == 0) {
          looking = false;
          return;
        }
      } finally {
        lock.unlock();
      }
      try {
        ChangeMark.Mark mark = marks.current(System.nanoTime() - RECHECK_NANOS);
        if (mark.newestChange() != newest) {
          wakeAll(); // at its first look too: a poll may have looked before the change
        }
        newest = mark.newestChange();
      } catch (RuntimeException e) {
        LOG.debug(
            "change feed: looking at the store failed ({}); held polls time out", e.toString());
      }
      try {
        Thread.sleep(Duration.ofNanos(RECHECK_NANOS));
      } catch (InterruptedException e) {
        // Nothing interrupts it; if something does, stop rather than spin on the flag. Held polls
        // still wake on local commits and at their deadline; the next hold starts a new looker.
        lock.lock();
        try {
          looking = false;
        } finally {
          lock.unlock();
        }
        return;
      }
    }
  }

  /** Whether the looker thread runs (for tests: not once no poll is held). */
  boolean looking() {
    lock.lock();
    try {
      return looking;
    } finally {
      lock.unlock();
    }
  }

  /** A change committed on this node: held polls look at once. */
  void changed() {
    wakeAll();
  }

  /** Wakes every held poll to look again (at a commit, or when the server stops). */
  public void wakeAll() {
    lock.lock();
    try {
      generation++;
      commits.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private long generation() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  private void awaitCommit(long seen, long nanos) {
    lock.lock();
    try {
      long left = nanos;
      while (generation == seen && left > 0) {
        left = commits.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WarehouseException(
          WarehouseException.ErrorCode.INTERNAL, "interrupted while waiting for changes");
    } finally {
      lock.unlock();
    }
  }
}
