package io.secretless.warehouse.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints SQLite's WAL from a thread of its own instead of inside a commit (below
 * synchronous=FULL; at FULL every commit waits for an fsync anyway). SQLite's automatic checkpoint
 * runs in whichever connection commits the transaction that crosses 1,000 WAL pages: that is the
 * group-commit writer, which then copies the pages into the database file and syncs it while every
 * waiting read stalls behind it. The pool's connections therefore start with {@code PRAGMA
 * wal_autocheckpoint=0} and this thread runs a {@code PASSIVE} checkpoint (it waits for no reader
 * or writer; commits go on meanwhile) whenever something was written since the last one, at most
 * every {@link #INTERVAL}. Durability is unchanged: a committed transaction is in the WAL, which
 * SQLite replays on open; checkpoints only move it into the main file.
 */
final class WalCheckpointer implements AutoCloseable {
  static final String DISABLE_AUTO = "PRAGMA wal_autocheckpoint=0";
  private static final Duration INTERVAL = Duration.ofMillis(500);
  private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);

  private final DataSource pool;
  private final LongSupplier writes;
  private final Thread thread;
  private volatile boolean closed;

  /** {@code writes} changes whenever a write transaction ran (the database's write generation). */
  WalCheckpointer(DataSource pool, LongSupplier writes) {
    this.pool = pool;
    this.writes = writes;
    this.thread = Thread.ofPlatform().daemon().name("warehouse-wal-checkpoint").start(this::loop);
  }

  private void loop() {
    long checkpointed = writes.getAsLong();
    while (!closed) {
      LockSupport.parkNanos(INTERVAL.toNanos());
      long now = writes.getAsLong();
      if (closed || now == checkpointed) {
        continue;
      }
      checkpointed = now;
      try (Connection c = pool.getConnection();
          Statement s = c.createStatement()) {
        s.execute("PRAGMA wal_checkpoint(PASSIVE)");
      } catch (SQLException | RuntimeException e) {
        // The next round tries again; the WAL only grows meanwhile.
        LOG.debug("WAL checkpoint failed: {}", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
    try {
      thread.join(INTERVAL.toMillis() * 4);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
