package io.secretless.warehouse.store;

import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Group commit: write work from many callers runs on one writer thread, batched into a single
 * transaction with one commit (one fsync on SQLite) per batch. A batch first runs without
 * savepoints; if an item refuses (throws) or hits a statement error, the transaction is rolled back
 * and the batch runs again with each item in its own savepoint, so that item is rolled back alone
 * (work must therefore touch nothing but the connection: it may run twice). A driver error on the
 * connection fails the whole batch. The run without savepoints defers audit rows and access counts
 * to one set of statements at its end ({@link WriteBatch}); the rerun defers nothing. A caller
 * waits at most the write timeout for its batch to commit, then gets STORE_UNAVAILABLE (the
 * fail-closed path) and its item is cancelled if it has not run yet.
 */
final class GroupCommit implements AutoCloseable {
  private static final int MAX_BATCH = 256;

  private record Item(Database.Work<?> work, CompletableFuture<Object> result) {}

  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Function<Database.Work<Void>, Void> transaction;
  private final Runnable onRollback;
  private final WriteBatch batch;
  private final Duration timeout;
  private final Thread writer;
  private volatile boolean closed;

  GroupCommit(
      Function<Database.Work<Void>, Void> transaction,
      Runnable onRollback,
      WriteBatch batch,
      Duration timeout,
      String name) {
    this.transaction = transaction;
    this.onRollback = onRollback;
    this.batch = batch;
    this.timeout = timeout;
    // A platform thread: SQLite commits block in native code (fsync), which would pin a carrier
    // thread of the virtual-thread scheduler for the whole commit.
    this.writer = Thread.ofPlatform().daemon().name(name).start(this::loop);
  }

  @SuppressWarnings("unchecked")
  <T> T submit(Database.Work<T> work) {
    if (closed) {
      throw new WarehouseException(ErrorCode.STORE_UNAVAILABLE, "warehouse store is closed");
    }
    var item = new Item(work, new CompletableFuture<>());
    queue.add(item);
    try {
      return (T) item.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      item.result().cancel(false);
      throw new WarehouseException(
          ErrorCode.STORE_UNAVAILABLE,
          "write not committed within " + timeout.toMillis() + " ms (store busy or locked)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WarehouseException(ErrorCode.STORE_UNAVAILABLE, "interrupted waiting for store");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new WarehouseException(ErrorCode.INTERNAL, "write failed: " + e.getCause(), e);
    }
  }

  private void loop() {
    while (!closed) {
      List<Item> batch = new ArrayList<>();
      try {
        Item first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      run(batch);
    }
  }

  private void run(List<Item> batch) {
    List<Object> results = new ArrayList<>(batch.size());
    try {
      try {
        transaction.apply(c -> runAll(c, batch, results, false));
      } catch (ItemFailed retry) {
        // Rolled back as a whole; again, each item in its own savepoint so only it is undone.
        transaction.apply(c -> runAll(c, batch, results, true));
      }
    } catch (RuntimeException e) {
      batch.forEach(i -> i.result().completeExceptionally(e));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      Object r = results.get(i);
      if (r instanceof Failure f) {
        batch.get(i).result().completeExceptionally(f.error());
      } else {
        batch.get(i).result().complete(r);
      }
    }
  }

  /**
   * Runs every item not cancelled. Without savepoints (the common case: nothing refuses) the first
   * failing item, or a failure of the deferred statements at the end, throws {@link ItemFailed} and
   * the caller rolls the whole batch back and runs it again with them; with savepoints a failing
   * item is rolled back alone and reported.
   */
  private Void runAll(Connection c, List<Item> batch, List<Object> results, boolean savepoints)
      throws SQLException {
    results.clear();
    if (savepoints) {
      for (Item item : batch) {
        results.add(item.result().isCancelled() ? null : runOne(c, item));
      }
      return null;
    }
    this.batch.open(c);
    try {
      for (Item item : batch) {
        results.add(item.result().isCancelled() ? null : item.work().run(c));
      }
      this.batch.flush(c);
    } catch (RuntimeException | SQLException e) {
      throw new ItemFailed();
    } finally {
      this.batch.close();
    }
    return null;
  }

  /** An item failed in a batch run without savepoints: roll back and run it with them. */
  private static final class ItemFailed extends RuntimeException {
    ItemFailed() {
      super("batch item failed; rerun with savepoints", null, false, false);
    }
  }

  private record Failure(RuntimeException error) {}

  private Object runOne(Connection c, Item item) throws SQLException {
    Savepoint sp = c.setSavepoint();
    try {
      Object value = item.work().run(c);
      c.releaseSavepoint(sp);
      return value;
    } catch (RuntimeException e) {
      onRollback.run();
      c.rollback(sp);
      return new Failure(e);
    } catch (SQLException e) {
      // A statement error (e.g. a unique-name race with another node) undoes this item only; if
      // the connection itself is gone, rolling back throws and the whole batch fails.
      onRollback.run();
      c.rollback(sp);
      return new Failure(translate(e));
    }
  }

  private static WarehouseException translate(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = String.valueOf(e.getMessage());
    if (state.equals("23505") || message.contains("UNIQUE constraint failed")) {
      return WarehouseException.conflict("that name is already taken (concurrent write); retry");
    }
    return Database.unavailable("write", e);
  }

  @Override
  public void close() {
    closed = true;
    writer.interrupt();
    Item item;
    while ((item = queue.poll()) != null) {
      item.result()
          .completeExceptionally(
              new WarehouseException(ErrorCode.STORE_UNAVAILABLE, "warehouse store is closing"));
    }
  }
}
