package io.secretless.warehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementCacheTest {
  @TempDir Path dir;

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("t.db");
  }

  @Test
  void theSameSqlOnTheSameConnectionReusesOneOpenStatement() throws Exception {
    try (Connection c = DriverManager.getConnection(url())) {
      PreparedStatement first = StatementCache.prepare(c, "SELECT ?");
      first.setInt(1, 7);
      try (ResultSet rs = first.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(7);
      }
      PreparedStatement again = StatementCache.prepare(c, "SELECT ?");
      assertThat(again).isSameAs(first);
      again.setInt(1, 8);
      try (ResultSet rs = again.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(8);
      }
      assertThat(StatementCache.prepare(c, "SELECT ? + 1")).isNotSameAs(first);
    }
  }

  @Test
  void statementsAreKeptPerPhysicalConnectionBehindThePool() throws Exception {
    var config = new HikariConfig();
    config.setJdbcUrl(url());
    config.setMaximumPoolSize(1);
    try (var pool = new HikariDataSource(config)) {
      PreparedStatement first;
      try (Connection c = pool.getConnection()) {
        first = StatementCache.prepare(c, "SELECT 1");
      }
      try (Connection c = pool.getConnection()) {
        // A new proxy for the same physical connection: the pool did not close the statement.
        assertThat(StatementCache.prepare(c, "SELECT 1")).isSameAs(first);
        assertThat(first.isClosed()).isFalse();
      }
    }
  }

  @Test
  void aStatementClosedBehindTheCacheIsPreparedAgain() throws Exception {
    try (Connection c = DriverManager.getConnection(url())) {
      PreparedStatement first = StatementCache.prepare(c, "SELECT 2");
      first.close();
      PreparedStatement again = StatementCache.prepare(c, "SELECT 2");
      assertThat(again).isNotSameAs(first);
      try (ResultSet rs = again.executeQuery()) {
        assertThat(rs.next()).isTrue();
      }
    }
  }

  @Test
  void closedConnectionsAreDroppedOnceTheCacheGrows() throws Exception {
    for (int i = 0; i < 70; i++) {
      try (Connection c = DriverManager.getConnection(url())) {
        StatementCache.prepare(c, "SELECT 3");
      }
    }
    assertThat(StatementCache.connections()).isLessThanOrEqualTo(64);
  }
}
