package io.secretless.warehouse.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Statements of a group-commit batch that are deferred to the end of its transaction and run once
 * for the whole batch instead of once per item: audit rows (one multi-row insert and one head
 * update). Only the fast path of a batch defers (no savepoints: any failure rolls the whole
 * transaction back, deferred statements with it); when an item fails the batch reruns with a
 * savepoint per item and nothing is deferred.
 *
 * <p>Deferred statements are flushed before the commit, in the order their kinds were first used,
 * so an acknowledged write's audit record is committed with it exactly as before. Work inside the
 * same transaction does not see deferred rows (nothing in it reads the audit log back). Used by the
 * writer thread only.
 */
public final class WriteBatch {
  /** Deferred statements of one kind, run when the batch's transaction is about to commit. */
  public interface Deferred {
    void flush(Connection c) throws SQLException;
  }

  private final Map<Object, Deferred> byKey = new HashMap<>();
  private final List<Deferred> inOrder = new ArrayList<>();
  // The physical connection of the transaction that defers, null when none does.
  private volatile Connection open;

  /** This batch's deferred statements of kind {@code key}, or null before the first of them. */
  public <T extends Deferred> T get(Object key, Class<T> type) {
    return type.cast(byKey.get(key));
  }

  /** Adds {@code deferred} as this batch's statements of kind {@code key} and returns it. */
  public <T extends Deferred> T add(Object key, T deferred) {
    if (byKey.putIfAbsent(key, deferred) != null) {
      throw new IllegalStateException("deferred statements for " + key + " exist already");
    }
    inOrder.add(deferred);
    return deferred;
  }

  /**
   * True when work on {@code c} runs in a batch transaction that defers (the writer's fast path).
   */
  boolean defersOn(Connection c) throws SQLException {
    Connection o = open;
    return o != null && o == c.unwrap(Connection.class);
  }

  void open(Connection c) throws SQLException {
    clear();
    open = c.unwrap(Connection.class);
  }

  void flush(Connection c) throws SQLException {
    for (Deferred d : inOrder) {
      d.flush(c);
    }
    clear();
  }

  void close() {
    open = null;
    clear();
  }

  private void clear() {
    byKey.clear();
    inOrder.clear();
  }
}
