package io.secretless.warehouse.store;

import io.secretless.warehouse.WarehouseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reads this node has served, per credential, added to {@code credentials.access_count} and
 * {@code last_access} once a second in one {@code UPDATE ... FROM (VALUES ...)} (SQLite and
 * PostgreSQL alike; each node adds what it counted), not in the commit of every read: that update
 * rewrote the credential rows every read looks up, on every group commit, and cost reads ~40 % of
 * their throughput (docs/BENCHMARKS.md, "Latest: warehouse reads and writes"). So the counts run up
 * to {@link #EVERY} behind, and a node killed with {@code kill -9} loses at most that much of them;
 * the audit log, committed with every read, stays the exact record. Rows are updated in
 * credential-id order, so two nodes flushing overlapping counts on PostgreSQL lock them in the same
 * order.
 */
final class AccessCounts implements AutoCloseable {
  static final Duration EVERY = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(AccessCounts.class);
  private static final int[] CHUNKS = {32, 8, 1};
  private final String[] sql = new String[CHUNKS.length];
  private final Database db;
  // id -> {reads, latest millis}; guarded by this
  private Map<String, long[]> pending = new TreeMap<>();
  private final Thread flusher;
  private volatile boolean closed;
  private boolean failing; // flusher thread only

  AccessCounts(Database db) {
    this.db = db;
    this.flusher = Thread.ofVirtual().name("warehouse-access-counts").start(this::loop);
  }

  synchronized void add(String credentialId, long atMillis) {
    merge(credentialId, 1, atMillis);
  }

  /** Adds {@code reads} at latest {@code atMillis} to what is pending for {@code credentialId}. */
  private void merge(String credentialId, long reads, long atMillis) {
    long[] r = pending.computeIfAbsent(credentialId, k -> new long[2]);
    r[0] += reads;
    r[1] = Math.max(r[1], atMillis);
  }

  /** Writes the counts gathered so far; on failure they are kept for the next attempt. */
  void flush() {
    Map<String, long[]> taken;
    synchronized (this) {
      if (pending.isEmpty()) {
        return;
      }
      taken = pending;
      pending = new TreeMap<>();
    }
    try {
      db.write(
          c -> {
            write(c, taken);
            return null;
          });
    } catch (RuntimeException e) {
      synchronized (this) {
        taken.forEach((id, r) -> merge(id, r[0], r[1]));
      }
      throw e;
    }
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(EVERY);
        flush();
        if (failing) {
          LOG.info("access counts are written again");
          failing = false;
        }
      } catch (InterruptedException e) {
        return;
      } catch (WarehouseException e) {
        if (!failing) {
          LOG.warn("access counts not written, kept for the next attempt: {}", e.getMessage());
          failing = true;
        }
      }
    }
  }

  private void write(Connection c, Map<String, long[]> counts) throws SQLException {
    Iterator<Map.Entry<String, long[]>> rows = counts.entrySet().iterator();
    int left = counts.size();
    while (left > 0) {
      int k = MultiRow.chunk(left, CHUNKS);
      int n = CHUNKS[k];
      if (sql[k] == null) {
        sql[k] = sql(n);
      }
      PreparedStatement ps = StatementCache.prepare(c, sql[k]);
      int p = 1;
      for (int i = 0; i < n; i++) {
        Map.Entry<String, long[]> e = rows.next();
        ps.setString(p++, e.getKey());
        ps.setLong(p++, e.getValue()[0]);
        ps.setLong(p++, e.getValue()[1]);
      }
      ps.executeUpdate();
      left -= n;
    }
  }

  private String sql(int rows) {
    // A read that lost a race with another node's write is still counted; last_access never moves
    // back (another node may have committed a later read first).
    String latest =
        db.dialect() == Database.Dialect.POSTGRESQL
            ? "GREATEST(COALESCE(last_access, 0), v.column3)"
            : "max(COALESCE(last_access, 0), v.column3)";
    return "UPDATE credentials SET access_count = access_count + v.column2, last_access = "
        + latest
        + " FROM (VALUES "
        + MultiRow.placeholders(rows, 3)
        + ") AS v WHERE credentials.id = v.column1";
  }

  /** Stops the timer and writes what is left (best effort: the store may be gone). */
  @Override
  public void close() {
    closed = true;
    flusher.interrupt();
    try {
      flush();
    } catch (WarehouseException e) {
      LOG.warn("access counts of the last second not written at close: {}", e.getMessage());
    }
  }
}
