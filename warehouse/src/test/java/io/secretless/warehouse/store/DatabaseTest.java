package io.secretless.warehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.warehouse.WarehouseConfig.SqliteSync;
import java.nio.file.Path;
import java.sql.ResultSet;
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
}
