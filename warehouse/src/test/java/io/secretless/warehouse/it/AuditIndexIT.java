package io.secretless.warehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.audit.AuditEvent;
import io.secretless.warehouse.audit.AuditQuery;
import io.secretless.warehouse.audit.AuditRecord;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Audit look-ups by credential and by agent (AuditIndex) on both stores: records the writer has
 * indexed in bulk and the unindexed tail above the mark are all found, once each, and a log whose
 * index is missing (as after the migration from the secondary indexes) is indexed when a node
 * opens.
 */
class AuditIndexIT {
  private static final List<String> CREDENTIALS = List.of("cred-a", "cred-b", "cred-c");
  private static final List<String> AGENTS = List.of("agent-x", "agent-y");
  private static final int BULK = 2_500; // more than AuditIndex.DUE (2,000): one batch indexes

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void lookUpsSeeIndexedAndUnindexedRecordsOnceEach(String kind) throws Exception {
    try (var store = kind.equals("sqlite") ? StoreFixture.sqlite() : StoreFixture.postgresql()) {
      try (var node = open(store)) {
        appendConcurrently(node, BULK);
        long mark = query(store, "SELECT indexed_seq FROM audit_head WHERE id = 1");
        assertThat(mark).isBetween(2_000L, (long) BULK);
        assertThat(query(store, "SELECT COUNT(*) FROM audit_by_credential")).isEqualTo(mark);
        assertThat(query(store, "SELECT COUNT(*) FROM audit_by_agent")).isEqualTo(mark);
        for (int i = 0; i < 30; i++) {
          node.audit().record(event(i)); // the tail: too few to be indexed
        }
        assertThat(query(store, "SELECT indexed_seq FROM audit_head WHERE id = 1")).isEqualTo(mark);
        assertLookUpsMatchTheLog(node, mark);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void aLogWithoutItsIndexIsIndexedWhenANodeOpens(String kind) throws Exception {
    try (var store = kind.equals("sqlite") ? StoreFixture.sqlite() : StoreFixture.postgresql()) {
      try (var node = open(store)) {
        appendConcurrently(node, 300);
      }
      try (Connection c = StoreFixture.connect(store, dir);
          Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM audit_by_credential");
        s.executeUpdate("DELETE FROM audit_by_agent");
        s.executeUpdate("UPDATE audit_head SET indexed_seq = 0 WHERE id = 1");
      }
      try (var node = open(store)) {
        long head = query(store, "SELECT seq FROM audit_head WHERE id = 1");
        assertThat(query(store, "SELECT indexed_seq FROM audit_head WHERE id = 1")).isEqualTo(head);
        assertThat(query(store, "SELECT COUNT(*) FROM audit_by_credential")).isEqualTo(head);
        assertLookUpsMatchTheLog(node, 0);
        assertThat(node.audit().verify().valid()).isTrue();
      }
    }
  }

  private WarehouseNode open(StoreFixture store) {
    if (!dir.resolve("master.key").toFile().exists()) {
      MasterKey.createKeyFile(dir.resolve("master.key"));
    }
    return WarehouseNode.open(
        WarehouseConfig.defaults(dir)
            .withDatabase(store.databaseUrl())
            .withMasterKey(new MasterKeySource.KeyFile(dir.resolve("master.key"))),
        "http://127.0.0.1");
  }

  private static AuditEvent event(int i) {
    return new AuditEvent(
        AGENTS.get(i % AGENTS.size()),
        "retrieve",
        CREDENTIALS.get(i % CREDENTIALS.size()),
        AuditEvent.Outcome.SUCCESS,
        "",
        "127.0.0.1",
        "test");
  }

  /** {@code n} records from as many virtual threads: group-committed in batches. */
  private static void appendConcurrently(WarehouseNode node, int n) {
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int k = i;
        pool.submit(() -> node.audit().record(event(k)));
      }
    }
  }

  /**
   * Every look-up by credential, by agent, by both, and with a small limit, gives exactly what a
   * scan of the whole log gives; with records on both sides of {@code mark} where there are any.
   */
  private static void assertLookUpsMatchTheLog(WarehouseNode node, long mark) {
    List<AuditRecord> all = node.audit().query(AuditQuery.all(10_000));
    for (String credential : CREDENTIALS) {
      List<AuditRecord> expected =
          all.stream().filter(r -> r.credentialId().equals(credential)).toList();
      assertThat(node.audit().query(by(Optional.of(credential), Optional.empty(), 10_000)))
          .containsExactlyElementsOf(expected);
      assertThat(node.audit().query(by(Optional.of(credential), Optional.empty(), 5)))
          .containsExactlyElementsOf(expected.subList(expected.size() - 5, expected.size()));
      assertThat(expected).anyMatch(r -> r.seq() > mark);
      if (mark > 0) {
        assertThat(expected).anyMatch(r -> r.seq() <= mark);
      }
      for (String agent : AGENTS) {
        assertThat(node.audit().query(by(Optional.of(credential), Optional.of(agent), 10_000)))
            .containsExactlyElementsOf(
                expected.stream().filter(r -> r.agent().equals(agent)).toList());
      }
    }
    for (String agent : AGENTS) {
      assertThat(node.audit().query(by(Optional.empty(), Optional.of(agent), 10_000)))
          .containsExactlyElementsOf(all.stream().filter(r -> r.agent().equals(agent)).toList());
    }
  }

  private static AuditQuery by(Optional<String> credential, Optional<String> agent, int limit) {
    return new AuditQuery(credential, agent, Optional.empty(), Optional.empty(), limit);
  }

  private long query(StoreFixture store, String sql) throws SQLException {
    try (Connection c = StoreFixture.connect(store, dir);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
