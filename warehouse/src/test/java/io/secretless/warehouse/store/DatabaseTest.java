package io.secretless.warehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.warehouse.WarehouseConfig.SqliteSync;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @TempDir Path dir;

  private static int pragma(Database db, String name) {
    return db.read(
        c -> {
          try (var s = c.createStatement();
              ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getInt(1);
          }
        });
  }

  @Test
  void sqliteSyncsEveryCommitByDefault() {
    try (Database db = Database.sqlite(dir, Duration.ofSeconds(2))) {
      assertThat(pragma(db, "synchronous")).isEqualTo(2); // FULL
      assertThat(db.description()).doesNotContain("synchronous");
    }
  }

  @Test
  void sqliteNormalSynchronousIsAppliedAndNamedInTheDescription() {
    try (Database db = Database.sqlite(dir, Duration.ofSeconds(2), SqliteSync.NORMAL)) {
      assertThat(pragma(db, "synchronous")).isEqualTo(1); // NORMAL
      assertThat(db.description()).contains("synchronous=NORMAL");
    }
  }

  @Test
  void aRefusingWriteIsUndoneAloneWhileTheOthersInItsBatchCommit() throws Exception {
    try (Database db = Database.sqlite(dir, Duration.ofSeconds(5))) {
      db.write(
          c -> {
            try (var s = c.createStatement()) {
              return s.executeUpdate("CREATE TABLE t (v TEXT PRIMARY KEY)");
            }
          });
      int writers = 20;
      var refused = new java.util.concurrent.atomic.AtomicInteger();
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < writers; i++) {
          String value = "v" + i;
          boolean refuse = i % 5 == 0;
          pool.submit(
              () -> {
                try {
                  db.write(
                      c -> {
                        try (var ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
                          ps.setString(1, value);
                          ps.executeUpdate();
                        }
                        if (refuse) {
                          throw io.secretless.warehouse.WarehouseException.conflict("refused");
                        }
                        return null;
                      });
                } catch (io.secretless.warehouse.WarehouseException e) {
                  refused.incrementAndGet();
                }
              });
        }
      }
      assertThat(refused).hasValue(4);
      java.util.List<String> stored =
          db.read(
              c -> {
                var out = new java.util.ArrayList<String>();
                try (var s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT v FROM t")) {
                  while (rs.next()) {
                    out.add(rs.getString(1));
                  }
                }
                return out;
              });
      assertThat(stored).hasSize(16).doesNotContain("v0", "v5", "v10", "v15");
    }
  }

  @Test
  void aFailedStatementIs503WithItsSqlStateButNotTheDriversMessage() {
    var e =
        new SQLException(
            "Batch entry 0 INSERT INTO credentials VALUES ('row-canary') was aborted", "23502");
    assertThat(Database.unavailable("write", e))
        .hasMessage("warehouse store write failed (SQLSTATE 23502); see the warehouse log")
        .hasMessageNotContaining("row-canary");
  }
}
