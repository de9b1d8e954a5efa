package io.secretless.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Access counts gathered per node and written once a second (store/AccessCounts), on SQLite. */
class AccessCountsTest extends SqliteWarehouseTest {

  private long count(String name) {
    return wh.list(owner, List.of(), Optional.empty()).stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow()
        .accessCount();
  }

  @Test
  void readsAreCountedWithinASecondWithoutAnyWrite() {
    store("db");
    for (int i = 0; i < 7; i++) {
      wh.secret(owner, "db");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> count("db") == 7);
    assertThat(wh.retrieve(owner, "db").credential().lastAccess()).isPresent();
  }

  @Test
  void countsThatCouldNotBeWrittenAreKeptAndWrittenLater() throws Exception {
    store("db");
    for (int i = 0; i < 5; i++) {
      wh.secret(owner, "db");
    }
    // Another connection holds SQLite's write lock, as a hung writer would, for longer than the
    // write timeout (2 s): the flush of the next second fails and must keep what it took.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("warehouse.db"));
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("UPDATE audit_head SET seq = seq WHERE id = 1");
      Thread.sleep(3_500);
      c.rollback();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> count("db") == 5);
  }
}
