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
 *   <li>Holding: with a wait, a poll with nothing to report re-checks the store every second (so
 *       nodes sharing one PostgreSQL see each other's changes) and at once when this node commits a
 *       change ({@link #changed}).
 *   <li>Audit: each answered poll is one {@code changes} record (the count and the seq range); a
 *       broker holding its poll for 30 s adds about 2 900 records a day.
 * </ul>
 */
public final class ChangeFeed {
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
  private static final long RECHECK_NANOS = Duration.ofSeconds(1).toNanos();

  private final Warehouse warehouse;
  private final AuditLog audit;
  private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads wait
  private final Condition commits = lock.newCondition();
  private long generation; // guarded by lock

  ChangeFeed(Warehouse warehouse) {
    this.warehouse = warehouse;
    this.audit = warehouse.audit;
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
    ChangePage page = hold(caller, from, System.nanoTime() + wait.toNanos(), stopping);
    warehouse.auditor.record(
        caller,
        "changes",
        "*",
        Outcome.SUCCESS,
        page.changes().size() + " changes after " + from + ", next " + page.next());
    return page;
  }

  private ChangePage hold(Caller caller, long from, long deadline, BooleanSupplier stopping) {
    long cursor = from;
    while (true) {
      long seen = generation();
      for (int span = 0; span < SPANS_PER_POLL; span++) {
        long start = cursor;
        AuditLog.Scan scan = audit.scan(start, start + SPAN, ACTIONS, PAGE);
        List<Change> visible = visible(caller, scan.records());
        cursor = Math.max(cursor, scan.covered());
        if (!visible.isEmpty() || scan.records().size() == PAGE) {
          return new ChangePage(cursor, visible);
        }
        if (scan.covered() < start + SPAN) {
          break; // the scan reached the head
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || stopping.getAsBoolean()) {
        return new ChangePage(cursor, List.of());
      }
      awaitCommit(seen, Math.min(left, RECHECK_NANOS));
      if (stopping.getAsBoolean()) {
        return new ChangePage(cursor, List.of());
      }
    }
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
