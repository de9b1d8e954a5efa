package io.secretless.warehouse;

import io.secretless.warehouse.audit.AuditLog;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Where the newest change record is, read from the store for all held polls of a node at once: one
 * look (the head, and the newest change since the last look) serves every poll that needs one no
 * older than it, so a thousand idle brokers cost this node two statements per look, not two
 * thousand. A poll scans the store itself only when the mark says a change may be past its cursor.
 */
final class ChangeMark {
  /**
   * One look at the store.
   *
   * @param generation the node's commit generation before the look; a later local commit voids it
   * @param at {@link System#nanoTime} before the look
   * @param floor the head at the first look: below it nothing is known
   * @param scanned the head at this look
   * @param newestChange the seq of the newest change in (floor, scanned], 0 if none
   */
  record Mark(long generation, long at, long floor, long scanned, long newestChange) {
    /** Whether a change may lie after {@code cursor} (up to {@link #scanned}). */
    boolean changesAfter(long cursor) {
      return cursor < floor || newestChange > cursor;
    }
  }

  private final AuditLog audit;
  private final Set<String> actions;
  private final LongSupplier generation;
  private final ReentrantLock looking = new ReentrantLock(); // not synchronized: virtual threads
  private volatile Mark mark;

  ChangeMark(AuditLog audit, Set<String> actions, LongSupplier generation) {
    this.audit = audit;
    this.actions = actions;
    this.generation = generation;
  }

  /**
   * A mark taken at or after {@code notBefore} and after the last local commit; looks at the store
   * if the current one is older (one poll looks, the others waiting meanwhile reuse its look).
   */
  Mark current(long notBefore) {
    Mark m = mark;
    if (fresh(m, notBefore)) {
      return m;
    }
    looking.lock();
    try {
      m = mark;
      if (fresh(m, notBefore)) {
        return m;
      }
      long gen = generation.getAsLong();
      long at = System.nanoTime();
      long head = audit.head();
      Mark next =
          m == null
              ? new Mark(gen, at, head, head, 0)
              : new Mark(
                  gen,
                  at,
                  m.floor(),
                  Math.max(head, m.scanned()),
                  Math.max(m.newestChange(), audit.newest(m.scanned(), head, actions)));
      mark = next;
      return next;
    } finally {
      looking.unlock();
    }
  }

  private boolean fresh(Mark m, long notBefore) {
    return m != null && m.generation() == generation.getAsLong() && m.at() - notBefore >= 0;
  }
}
