package io.secretless.warehouse.audit;

import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.store.Database;
import io.secretless.warehouse.store.StatementCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tamper-evident audit log. Appends lock the chain head row ({@code SELECT ... FOR UPDATE} on
 * PostgreSQL; the SQLite write transaction is already exclusive), so records from concurrent
 * writers, also in other processes, form one chain. Later appends in the same transaction (a group
 * commit batch) reuse the head the previous one wrote instead of reading it again; any rollback or
 * new transaction makes them read it. Appends run inside the caller's transaction: the audited
 * change and its record commit together or not at all, and a record that cannot be written within
 * the store's write timeout fails the operation (fail closed).
 */
public final class AuditLog {
  private static final int MAX_FIELD = 500;
  private static final String HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1";
  private static final String INSERT =
      "INSERT INTO audit_log (seq, at_millis, agent, action, credential_id, outcome, reason,"
          + " source, user_agent, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
  private static final String MOVE_HEAD = "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1";
  private final Database db;

  /** The head this node last wrote, valid within that write transaction only. */
  private record Head(Connection connection, long generation, long seq, String hash) {}

  private volatile Head lastHead;

  public AuditLog(Database db) {
    this.db = db;
  }

  /** Appends {@code event} inside the caller's open write transaction. */
  public AuditRecord append(Connection c, AuditEvent e) throws SQLException {
    long prevSeq;
    String prevHash;
    Connection physical = c.unwrap(Connection.class);
    long generation = db.writeGeneration();
    Head known = lastHead;
    if (known != null
        && known.connection() == physical
        && known.generation() == generation
        && !c.getAutoCommit()) {
      // This transaction wrote the head itself and still holds the chain (SQLite's write lock,
      // PostgreSQL's row lock): no need to read it back.
      prevSeq = known.seq();
      prevHash = known.hash();
    } else {
      PreparedStatement head =
          StatementCache.prepare(
              c, db.dialect() == Database.Dialect.POSTGRESQL ? HEAD + " FOR UPDATE" : HEAD);
      try (ResultSet rs = head.executeQuery()) {
        rs.next();
        prevSeq = rs.getLong(1);
        prevHash = rs.getString(2);
      }
    }
    long seq = prevSeq + 1;
    long now = System.currentTimeMillis();
    var r =
        new AuditRecord(
            seq,
            now,
            clip(e.agent()),
            clip(e.action()),
            clip(e.credentialId()),
            e.outcome().wire(),
            clip(e.reason()),
            clip(e.source()),
            clip(e.userAgent()),
            prevHash,
            "");
    String hash = AuditChain.hash(r);
    PreparedStatement insert = StatementCache.prepare(c, INSERT);
    insert.setLong(1, seq);
    insert.setLong(2, now);
    insert.setString(3, r.agent());
    insert.setString(4, r.action());
    insert.setString(5, r.credentialId());
    insert.setString(6, r.outcome());
    insert.setString(7, r.reason());
    insert.setString(8, r.source());
    insert.setString(9, r.userAgent());
    insert.setString(10, prevHash);
    insert.setString(11, hash);
    insert.executeUpdate();
    PreparedStatement move = StatementCache.prepare(c, MOVE_HEAD);
    move.setLong(1, seq);
    move.setString(2, hash);
    move.executeUpdate();
    lastHead = new Head(physical, generation, seq, hash);
    return new AuditRecord(
        seq,
        now,
        r.agent(),
        r.action(),
        r.credentialId(),
        r.outcome(),
        r.reason(),
        r.source(),
        r.userAgent(),
        prevHash,
        hash);
  }

  /** Appends {@code event} in its own transaction; fails closed with AUDIT_UNAVAILABLE (503). */
  public AuditRecord record(AuditEvent event) {
    try {
      return db.write(c -> append(c, event));
    } catch (WarehouseException e) {
      throw new WarehouseException(
          ErrorCode.AUDIT_UNAVAILABLE,
          "audit record could not be written, operation refused: " + e.getMessage(),
          e);
    }
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_FIELD ? s : s.substring(0, MAX_FIELD);
  }

  public long count() {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audit_log");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  /** Records matching {@code q}, the newest {@code q.limit()} of them, oldest first. */
  public List<AuditRecord> query(AuditQuery q) {
    var sql = new StringBuilder("SELECT * FROM audit_log WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    q.credentialId().ifPresent(v -> add(sql, args, " AND credential_id = ?", v));
    q.agent().ifPresent(v -> add(sql, args, " AND agent = ?", v));
    q.sinceMillis().ifPresent(v -> add(sql, args, " AND at_millis >= ?", v));
    q.untilMillis().ifPresent(v -> add(sql, args, " AND at_millis <= ?", v));
    sql.append(" ORDER BY seq DESC LIMIT ").append(Math.max(1, Math.min(q.limit(), 10_000)));
    List<AuditRecord> out =
        db.read(
            c -> {
              try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                  ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                  List<AuditRecord> rows = new ArrayList<>();
                  while (rs.next()) {
                    rows.add(row(rs));
                  }
                  return rows;
                }
              }
            });
    return out.reversed();
  }

  private static void add(StringBuilder sql, List<Object> args, String clause, Object value) {
    sql.append(clause);
    args.add(value);
  }

  private static AuditRecord row(ResultSet rs) throws SQLException {
    return new AuditRecord(
        rs.getLong("seq"),
        rs.getLong("at_millis"),
        rs.getString("agent"),
        rs.getString("action"),
        rs.getString("credential_id"),
        rs.getString("outcome"),
        rs.getString("reason"),
        rs.getString("source"),
        rs.getString("user_agent"),
        rs.getString("prev_hash"),
        rs.getString("hash"));
  }

  /** Walks the whole chain in order and names the first record that does not fit. */
  public AuditChain.Verification verify() {
    return db.read(
        c -> {
          long expectedSeq = 1;
          String prev = AuditChain.GENESIS;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT * FROM audit_log ORDER BY seq",
                  ResultSet.TYPE_FORWARD_ONLY,
                  ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                AuditRecord r = row(rs);
                if (r.seq() != expectedSeq) {
                  return AuditChain.Verification.broken(
                      expectedSeq - 1, expectedSeq, "record " + expectedSeq + " is missing");
                }
                if (!r.prevHash().equals(prev)) {
                  return AuditChain.Verification.broken(
                      expectedSeq - 1,
                      r.seq(),
                      "record " + r.seq() + " does not link to record " + (r.seq() - 1));
                }
                if (!AuditChain.hash(r).equals(r.hash())) {
                  return AuditChain.Verification.broken(
                      expectedSeq - 1,
                      r.seq(),
                      "record " + r.seq() + " was altered (hash mismatch)");
                }
                prev = r.hash();
                expectedSeq++;
              }
            }
          }
          long records = expectedSeq - 1;
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getLong(1) != records || !rs.getString(2).equals(prev)) {
              return AuditChain.Verification.broken(
                  records,
                  records + 1,
                  "chain head does not match the last record (records removed or added after "
                      + records
                      + ")");
            }
          }
          return AuditChain.Verification.ok(records);
        });
  }
}
