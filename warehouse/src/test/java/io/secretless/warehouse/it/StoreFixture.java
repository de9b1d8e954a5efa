package io.secretless.warehouse.it;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;

/**
 * Where an integration test's warehouse keeps its data: SQLite in a temp directory, or a fresh
 * PostgreSQL database on the shared test server (created here, dropped by {@link #close}).
 */
public sealed interface StoreFixture extends AutoCloseable {
  /** The --database value; empty for SQLite. */
  Optional<String> databaseUrl();

  @Override
  void close();

  static StoreFixture sqlite() {
    return new Sqlite();
  }

  static StoreFixture postgresql() {
    return Postgres.create();
  }

  /** SQLite needs nothing beyond the data directory. */
  record Sqlite() implements StoreFixture {
    @Override
    public Optional<String> databaseUrl() {
      return Optional.empty();
    }

    @Override
    public void close() {}
  }

  /** A database named warehouse_it_RANDOM on the test PostgreSQL server. */
  record Postgres(String adminUrl, String user, String password, String name)
      implements StoreFixture {
    static Postgres create() {
      String host = env("SECRETLESS_IT_PG_HOST");
      String port = env("SECRETLESS_IT_PG_PORT");
      String user = env("SECRETLESS_IT_PG_ADMIN_USER");
      String password = env("SECRETLESS_IT_PG_ADMIN_PASSWORD");
      String name =
          "warehouse_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      var pg =
          new Postgres(
              "jdbc:postgresql://" + host + ":" + port + "/postgres", user, password, name);
      pg.admin("CREATE DATABASE " + name);
      return pg;
    }

    private static String env(String name) {
      String v = System.getenv(name);
      if (v == null || v.isBlank()) {
        throw new IllegalStateException(
            name + " is not set: run ./run-tests or source /tmp/secretless-test/env.sh");
      }
      return v;
    }

    private void admin(String sql) {
      try (Connection c = DriverManager.getConnection(adminUrl, user, password);
          Statement s = c.createStatement()) {
        s.execute(sql);
      } catch (SQLException e) {
        throw new IllegalStateException(
            "PostgreSQL admin statement failed: " + sql + ": " + e.getMessage(), e);
      }
    }

    @Override
    public Optional<String> databaseUrl() {
      return Optional.of(
          adminUrl.replace("/postgres", "/" + name) + "?user=" + user + "&password=" + password);
    }

    public String jdbcUrl() {
      return databaseUrl().orElseThrow();
    }

    @Override
    public void close() {
      admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    @Override
    public String toString() {
      return "Postgres[" + name + "]";
    }
  }

  /** Opens a direct JDBC connection to the fixture's store (for tampering in tests). */
  static Connection connect(StoreFixture store, Path dataDir) throws SQLException {
    return switch (store) {
      case Sqlite s ->
          DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("warehouse.db"));
      case Postgres p -> DriverManager.getConnection(p.jdbcUrl());
    };
  }
}
