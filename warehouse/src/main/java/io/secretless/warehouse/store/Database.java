package io.secretless.warehouse.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretless.warehouse.WarehouseConfig.SqliteSync;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warehouse's relational store: an embedded SQLite file (WAL, synchronous commits) or a shared
 * PostgreSQL database, both migrated by the same Flyway scripts.
 *
 * <p>Write transactions are bounded by {@code writeTimeout}: on PostgreSQL through {@code SET LOCAL
 * lock_timeout/statement_timeout}, on SQLite through the busy timeout, and for every caller by the
 * group-commit wait. A transaction that cannot finish in time fails with STORE_UNAVAILABLE (HTTP
 * 503), which is how the audit log fails closed.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Which SQL engine is behind the store. */
  public enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  private final HikariDataSource dataSource;
  private final Dialect dialect;
  private final Duration writeTimeout;
  private final GroupCommit writer;
  private final WriteBatch batch;
  private final AccessCounts accessCounts;
  private final String description;
  // Bumped when a write transaction starts and when any of it is rolled back: state cached for the
  // open transaction (the audit chain head) is valid only while this is unchanged.
  private volatile long writeGeneration;

  private Database(
      HikariDataSource dataSource, Dialect dialect, Duration writeTimeout, String desc) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.writeTimeout = writeTimeout;
    this.description = desc;
    this.batch = new WriteBatch();
    this.writer =
        new GroupCommit(
            this::transaction, this::rolledBack, batch, writeTimeout, "warehouse-writer");
    this.accessCounts = new AccessCounts(this);
  }

  /** Opens (creating if needed) {@code dataDir/warehouse.db} with {@code synchronous=FULL}. */
  public static Database sqlite(Path dataDir, Duration writeTimeout) {
    return sqlite(dataDir, writeTimeout, SqliteSync.FULL);
  }

  /**
   * Opens (creating if needed) {@code dataDir/warehouse.db} in WAL mode with the given {@code
   * synchronous} setting (see {@link SqliteSync}).
   */
  public static Database sqlite(Path dataDir, Duration writeTimeout, SqliteSync sync) {
    try {
      Files.createDirectories(dataDir);
    } catch (java.io.IOException e) {
      throw new WarehouseException(
          ErrorCode.STORE_UNAVAILABLE, "cannot create data directory " + dataDir + ": " + e, e);
    }
    Path file = dataDir.resolve("warehouse.db").toAbsolutePath();
    var config = new HikariConfig();
    config.setJdbcUrl(
        "jdbc:sqlite:"
            + file
            + "?journal_mode=WAL&synchronous="
            + sync.name()
            + "&foreign_keys=true&transaction_mode=IMMEDIATE"
            // Nothing reads generated keys; with them on, sqlite-jdbc matches every statement
            // against a regex and prepares and runs "SELECT last_insert_rowid()" after each INSERT.
            + "&jdbc.get_generated_keys=false"
            + "&busy_timeout="
            + writeTimeout.toMillis());
    config.setMaximumPoolSize(8);
    config.setPoolName("warehouse-sqlite");
    String desc = "SQLite " + file + (sync == SqliteSync.FULL ? "" : " (synchronous=" + sync + ")");
    return open(config, Dialect.SQLITE, writeTimeout, desc);
  }

  /**
   * Connects to PostgreSQL. Accepts {@code postgresql://user:password@host:port/db?params} or a
   * {@code jdbc:postgresql:} URL.
   */
  public static Database postgresql(String url, Duration writeTimeout, int poolSize) {
    var config = new HikariConfig();
    String jdbc = url.startsWith("jdbc:") ? url : "jdbc:" + stripUserInfo(url, config);
    // Credentials go to the pool, not the URL, so no library ever logs them with the URL.
    config.setJdbcUrl(stripCredentialParams(jdbc, config));
    config.setMaximumPoolSize(poolSize);
    config.setPoolName("warehouse-postgresql");
    return open(config, Dialect.POSTGRESQL, writeTimeout, "PostgreSQL " + config.getJdbcUrl());
  }

  private static String stripUserInfo(String url, HikariConfig config) {
    URI uri = URI.create(url);
    if (uri.getRawUserInfo() == null) {
      return url;
    }
    String[] parts = uri.getUserInfo().split(":", 2);
    config.setUsername(parts[0]);
    if (parts.length > 1) {
      config.setPassword(parts[1]);
    }
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    return "postgresql://" + uri.getHost() + port + uri.getRawPath() + query;
  }

  private static String stripCredentialParams(String jdbc, HikariConfig config) {
    int q = jdbc.indexOf('?');
    if (q < 0) {
      return jdbc;
    }
    List<String> kept = new ArrayList<>();
    for (String param : jdbc.substring(q + 1).split("&")) {
      String decoded =
          URLDecoder.decode(param.substring(param.indexOf('=') + 1), StandardCharsets.UTF_8);
      if (param.startsWith("user=")) {
        config.setUsername(decoded);
      } else if (param.startsWith("password=")) {
        config.setPassword(decoded);
      } else if (!param.isEmpty()) {
        kept.add(param);
      }
    }
    return jdbc.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }

  private static Database open(
      HikariConfig config, Dialect dialect, Duration writeTimeout, String description) {
    config.setConnectionTimeout(Math.max(250, writeTimeout.toMillis()));
    config.setInitializationFailTimeout(Math.max(1000, writeTimeout.toMillis()));
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new WarehouseException(
          ErrorCode.STORE_UNAVAILABLE,
          "cannot open warehouse store " + description + ": " + rootMessage(e),
          e);
    }
    var db = new Database(ds, dialect, writeTimeout, description);
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:io/secretless/warehouse/migration")
          .table("warehouse_schema_history")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      db.close();
      throw new WarehouseException(
          ErrorCode.STORE_UNAVAILABLE,
          "cannot migrate warehouse store " + description + ": " + rootMessage(e),
          e);
    }
    return db;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  public Dialect dialect() {
    return dialect;
  }

  public String description() {
    return description;
  }

  public Duration writeTimeout() {
    return writeTimeout;
  }

  /** Work done on one connection inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} on an autocommit connection (reads). */
  public <T> T read(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw unavailable("read", e);
    }
  }

  /**
   * Runs {@code work} in a write transaction, committed before this returns, bounded by the write
   * timeout. Writes are group-committed (see {@link GroupCommit}); a {@link WarehouseException}
   * thrown by the work rolls back that work alone and is rethrown as is.
   */
  public <T> T write(Work<T> work) {
    return writer.submit(work);
  }

  /**
   * Counts one read of {@code credentialId} at {@code atMillis}: added to the credential's access
   * count and last access within a second (see {@link AccessCounts}).
   */
  public void countAccess(String credentialId, long atMillis) {
    accessCounts.add(credentialId, atMillis);
  }

  /** Writes the access counts gathered so far now instead of at the next second. */
  public void flushAccessCounts() {
    accessCounts.flush();
  }

  /**
   * The deferred statements of the group-commit batch whose transaction {@code c} is in, when that
   * batch defers (see {@link WriteBatch}); empty otherwise, and the work then writes at once.
   */
  public Optional<WriteBatch> batch(Connection c) throws SQLException {
    return batch.defersOn(c) ? Optional.of(batch) : Optional.empty();
  }

  /**
   * Changes whenever a write transaction starts or is (partly) rolled back; work running in a write
   * transaction may keep state for it while this stays the same.
   */
  public long writeGeneration() {
    return writeGeneration;
  }

  private void rolledBack() {
    writeGeneration++;
  }

  private <T> T transaction(Work<T> work) {
    writeGeneration++;
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw unavailable("write", e);
    }
    boolean broken = false;
    try {
      c.setAutoCommit(false);
      if (dialect == Dialect.POSTGRESQL) {
        try (Statement s = c.createStatement()) {
          long ms = writeTimeout.toMillis();
          s.execute("SET LOCAL lock_timeout = " + ms + "; SET LOCAL statement_timeout = " + ms);
        }
      }
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException e) {
      broken = true;
      rollbackQuietly(c);
      throw unavailable("write", e);
    } catch (RuntimeException e) {
      rollbackQuietly(c);
      throw e;
    } finally {
      release(c, broken);
    }
  }

  /**
   * Returns the connection to the pool, or evicts it after a driver error: a connection whose
   * transaction failed half-way (e.g. SQLite BUSY during BEGIN) must not be reused.
   */
  private void release(Connection c, boolean broken) {
    if (!broken) {
      try {
        c.setAutoCommit(true);
      } catch (SQLException e) {
        broken = true;
      }
    }
    if (broken) {
      dataSource.evictConnection(c);
    } else {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing a pooled connection only hands it back
      }
    }
  }

  private void rollbackQuietly(Connection c) {
    rolledBack();
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is the one worth reporting
    }
  }

  /**
   * A failed store {@code what} ("read", "write") as the 503 a client sees: with the SQLSTATE but
   * not the driver's message, which may quote the statement, its parameters or a failing row; that
   * goes to the warehouse log only.
   */
  static WarehouseException unavailable(String what, SQLException e) {
    LOG.warn("warehouse store {} failed ({}): {}", what, e.getSQLState(), rootMessage(e));
    return new WarehouseException(
        ErrorCode.STORE_UNAVAILABLE,
        "warehouse store "
            + what
            + " failed"
            + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")")
            + "; see the warehouse log",
        e);
  }

  /** True when the store answers a trivial query. */
  public boolean healthy() {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      return s.execute("SELECT 1");
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    accessCounts.close();
    writer.close();
    dataSource.close();
  }
}
