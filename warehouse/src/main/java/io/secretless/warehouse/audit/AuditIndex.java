package io.secretless.warehouse.audit;

import io.secretless.warehouse.store.StatementCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Look-ups of the audit log by credential and by agent, kept in two tables of (key, seq) that the
 * writer fills behind the log in bulk instead of two secondary indexes of {@code audit_log}. Such
 * an index takes an insert at a random place for every record, so each group commit dirtied a
 * B-tree page per credential it had read, and SQLite's WAL writes whole pages: ~11 KB of disk
 * writes per audited read, against ~4 KB without (docs/BENCHMARKS.md, "Latest: warehouse reads and
 * writes"). Here a batch that leaves at least {@link #DUE} records unindexed indexes them all at
 * once, under the chain head's lock, and moves {@code audit_head.indexed_seq}; records above that
 * mark are found by a range scan of the log's primary key, so a look-up sees every committed
 * record.
 */
final class AuditIndex {
  /** Unindexed records that make a batch index them: the most a look-up scans beyond the index. */
  static final int DUE = 2_000;

  /** The most records one transaction indexes (a log from before the index catches up in steps). */
  static final int CHUNK = 50_000;

  private static final String MOVE = "UPDATE audit_head SET indexed_seq = ? WHERE id = 1";
  private static final String TAIL =
      "SELECT a.* FROM audit_log a"
          + " WHERE a.seq > (SELECT indexed_seq FROM audit_head WHERE id = 1)";

  /** The two keys a look-up can go by. */
  enum Key {
    CREDENTIAL("audit_by_credential", "credential_id"),
    AGENT("audit_by_agent", "agent");

    private final String add;
    private final String indexed;

    Key(String table, String column) {
      this.add =
          "INSERT INTO "
              + table
              + " ("
              + column
              + ", seq) SELECT "
              + column
              + ", seq FROM audit_log WHERE seq > ? AND seq <= ?";
      this.indexed =
          "SELECT a.* FROM "
              + table
              + " i JOIN audit_log a ON a.seq = i.seq WHERE i."
              + column
              + " = ?";
    }
  }

  private AuditIndex() {}

  /**
   * In a write transaction that holds the chain head: indexes the records in ({@code indexed},
   * {@code head}] when at least {@link #DUE} of them are waiting (at most {@link #CHUNK}).
   */
  static void addIfDue(Connection c, long indexed, long head) throws SQLException {
    if (head - indexed >= DUE) {
      add(c, indexed, head);
    }
  }

  /**
   * Indexes the records in ({@code indexed}, {@code head}], at most {@link #CHUNK} of them, in the
   * caller's transaction, which must hold the chain head; returns the new mark.
   */
  static long add(Connection c, long indexed, long head) throws SQLException {
    long upTo = Math.min(head, indexed + CHUNK);
    for (Key key : Key.values()) {
      PreparedStatement ps = StatementCache.prepare(c, key.add);
      ps.setLong(1, indexed);
      ps.setLong(2, upTo);
      ps.executeUpdate();
    }
    PreparedStatement move = StatementCache.prepare(c, MOVE);
    move.setLong(1, upTo);
    move.executeUpdate();
    return upTo;
  }

  /** The newest records matching {@code q} (at most 10,000), newest first. */
  static List<AuditRecord> query(Connection c, AuditQuery q) throws SQLException {
    var where = new StringBuilder();
    List<Object> args = new ArrayList<>();
    q.credentialId().ifPresent(v -> add(where, args, " AND a.credential_id = ?", v));
    q.agent().ifPresent(v -> add(where, args, " AND a.agent = ?", v));
    q.sinceMillis().ifPresent(v -> add(where, args, " AND a.at_millis >= ?", v));
    q.untilMillis().ifPresent(v -> add(where, args, " AND a.at_millis <= ?", v));
    int limit = Math.max(1, Math.min(q.limit(), 10_000));
    if (q.credentialId().isPresent()) {
      return query(c, Key.CREDENTIAL, q.credentialId().get(), where.toString(), args, limit);
    }
    if (q.agent().isPresent()) {
      return query(c, Key.AGENT, q.agent().get(), where.toString(), args, limit);
    }
    return collect(
        c,
        "SELECT a.* FROM audit_log a WHERE 1 = 1" + where + " ORDER BY a.seq DESC LIMIT " + limit,
        null,
        args);
  }

  private static void add(StringBuilder sql, List<Object> args, String clause, Object value) {
    sql.append(clause);
    args.add(value);
  }

  /**
   * The newest {@code limit} records with {@code key} = {@code value} that also match {@code where}
   * (conditions on alias {@code a}, bound by {@code args}, the key's own among them), newest first.
   * The unindexed tail is read first: a record indexed in between is then found by the second
   * statement, never missed, and is counted once.
   */
  private static List<AuditRecord> query(
      Connection c, Key key, String value, String where, List<Object> args, int limit)
      throws SQLException {
    String order = " ORDER BY a.seq DESC LIMIT " + limit;
    Map<Long, AuditRecord> newestFirst = new TreeMap<>((x, y) -> Long.compare(y, x));
    for (AuditRecord r : collect(c, TAIL + where + order, null, args)) {
      newestFirst.put(r.seq(), r);
    }
    for (AuditRecord r : collect(c, key.indexed + where + order, value, args)) {
      newestFirst.putIfAbsent(r.seq(), r);
    }
    return newestFirst.values().stream().limit(limit).toList();
  }

  /** The records {@code sql} selects, bound by {@code first} (unless null) and {@code args}. */
  private static List<AuditRecord> collect(
      Connection c, String sql, String first, List<Object> args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (first != null) {
        ps.setString(i++, first);
      }
      for (Object arg : args) {
        ps.setObject(i++, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<AuditRecord> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(AuditLog.row(rs));
        }
        return rows;
      }
    }
  }
}
