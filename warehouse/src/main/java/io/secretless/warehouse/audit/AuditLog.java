package io.secretless.warehouse.audit;

import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.store.Database;
import io.secretless.warehouse.store.StatementCache;
import io.secretless.warehouse.store.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final int MAX_FIELD = 500;
  private static final String HEAD = "SELECT seq, hash, indexed_seq FROM audit_head WHERE id = 1";
  private static final String INSERT =
      "INSERT INTO audit_log (seq, at_millis, agent, action, credential_id, outcome, reason,"
          + " source, user_agent, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
  private static final String MOVE_HEAD = "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1";
  private final Database db;

  /** The head this node last wrote, valid within that write transaction only. */
  private record Head(
      Connection connection, long generation, long seq, String hash, long indexed) {}

  private volatile Head lastHead;

  public AuditLog(Database db) {
    this.db = db;
  }

  /**
   * Appends {@code event} inside the caller's open write transaction. In a group-commit batch that
   * defers ({@link WriteBatch}) the record is chained in memory and inserted with the batch's other
   * records just before it commits; otherwise it is inserted now.
   */
  public AuditRecord append(Connection c, AuditEvent e) throws SQLException {
    long now = System.currentTimeMillis();
    String agent = clip(e.agent());
    String action = clip(e.action());
    String credentialId = clip(e.credentialId());
    String reason = clip(e.reason());
    String source = clip(e.source());
    String userAgent = clip(e.userAgent());
    Optional<WriteBatch> batch = db.batch(c);
    if (batch.isPresent()) {
      PendingRecords pending = batch.get().get(this, PendingRecords.class);
      if (pending == null) {
        Head head = readHead(c, physical(c), 0);
        pending =
            batch.get().add(this, new PendingRecords(head.seq(), head.hash(), head.indexed()));
      }
      return pending.add(
          now, agent, action, credentialId, e.outcome().wire(), reason, source, userAgent);
    }
    Connection physical = physical(c);
    long generation = db.writeGeneration();
    Head known = lastHead;
    Head prev;
    if (known != null
        && known.connection() == physical
        && known.generation() == generation
        && !c.getAutoCommit()) {
      // This transaction wrote the head itself and still holds the chain (SQLite's write lock,
      // PostgreSQL's row lock): no need to read it back.
      prev = known;
    } else {
      prev = readHead(c, physical, generation);
    }
    long seq = prev.seq() + 1;
    String prevHash = prev.hash();
    var r =
        new AuditRecord(
            seq,
            now,
            agent,
            action,
            credentialId,
            e.outcome().wire(),
            reason,
            source,
            userAgent,
            prevHash,
            null);
    r = r.withHash(AuditChain.hash(r));
    String hash = r.hash();
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
    moveHead(c, seq, hash);
    lastHead = new Head(physical, generation, seq, hash, prev.indexed());
    return r;
  }

  private static Connection physical(Connection c) throws SQLException {
    return c.unwrap(Connection.class);
  }

  /** Reads the chain head, locking it on PostgreSQL until the transaction ends. */
  private Head readHead(Connection c, Connection physical, long generation) throws SQLException {
    PreparedStatement head =
        StatementCache.prepare(
            c, db.dialect() == Database.Dialect.POSTGRESQL ? HEAD + " FOR UPDATE" : HEAD);
    try (ResultSet rs = head.executeQuery()) {
      rs.next();
      return new Head(physical, generation, rs.getLong(1), rs.getString(2), rs.getLong(3));
    }
  }

  static void moveHead(Connection c, long seq, String hash) throws SQLException {
    PreparedStatement move = StatementCache.prepare(c, MOVE_HEAD);
    move.setLong(1, seq);
    move.setString(2, hash);
    move.executeUpdate();
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

  /** The seq of the newest committed record; 0 while the log is empty. */
  public long head() {
    return db.read(AuditLog::head);
  }

  private static long head(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_head WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The successful records of {@code actions} with a seq in ({@code after}, {@code upTo}], oldest
   * first, at most {@code limit} of them; {@code upTo} is clipped to the head, so only committed
   * records are read (a record's seq is taken under the head's lock, so none can commit later with
   * a lower seq). A range scan on the primary key, never the whole table.
   *
   * @return the records and the newest seq the scan covered
   */
  public Scan scan(long after, long upTo, Set<String> actions, int limit) {
    String sql = "SELECT * FROM audit_log WHERE " + successesOf(actions) + " ORDER BY seq LIMIT ?";
    return db.read(
        c -> {
          long end = Math.min(upTo, head(c));
          List<AuditRecord> rows = new ArrayList<>();
          if (end <= after) {
            return new Scan(rows, end);
          }
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(bindSuccessesOf(ps, after, end, actions), limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                rows.add(row(rs));
              }
            }
          }
          return new Scan(rows, rows.size() == limit ? rows.getLast().seq() : end);
        });
  }

  /**
   * The seq of the newest successful record of {@code actions} in ({@code after}, {@code upTo}], 0
   * if there is none; a range scan on the primary key.
   */
  public long newest(long after, long upTo, Set<String> actions) {
    if (upTo <= after) {
      return 0;
    }
    String sql = "SELECT MAX(seq) FROM audit_log WHERE " + successesOf(actions);
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindSuccessesOf(ps, after, upTo, actions);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1); // NULL (none) reads as 0
            }
          }
        });
  }

  /** The condition of {@link #scan} and {@link #newest}: bound by {@link #bindSuccessesOf}. */
  private static String successesOf(Set<String> actions) {
    return "seq > ? AND seq <= ? AND outcome = ? AND action IN ("
        + String.join(",", Collections.nCopies(actions.size(), "?"))
        + ")";
  }

  /**
   * Binds {@link #successesOf}: successful records of {@code actions} with a seq in ({@code after},
   * {@code upTo}]; returns the index of the next parameter.
   */
  private static int bindSuccessesOf(
      PreparedStatement ps, long after, long upTo, Set<String> actions) throws SQLException {
    int i = 1;
    ps.setLong(i++, after);
    ps.setLong(i++, upTo);
    ps.setString(i++, AuditEvent.Outcome.SUCCESS.wire());
    for (String action : actions) {
      ps.setString(i++, action);
    }
    return i;
  }

  /**
   * What {@link #scan} found, and the newest seq it covered (the last record when it stopped at its
   * limit, else the end of the range; less than the range asked for when the head is older).
   */
  public record Scan(List<AuditRecord> records, long covered) {}

  /**
   * Records matching {@code q}, the newest {@code q.limit()} of them, oldest first. By credential
   * or agent through {@link AuditIndex}; by time alone a scan from the newest record.
   */
  public List<AuditRecord> query(AuditQuery q) {
    return db.read(c -> AuditIndex.query(c, q)).reversed();
  }

  /**
   * Indexes every record not yet in {@link AuditIndex} (a log written before it existed, or the
   * tail a node left behind), in transactions of at most {@link AuditIndex#CHUNK}; run when a node
   * opens. Returns how many it indexed.
   */
  public long indexAll() {
    long done = 0;
    long left;
    // Read first: a node opening a caught-up log (the usual start) writes nothing.
    while ((left = db.read(AuditLog::unindexed)) > 0) {
      if (done > 0) {
        LOG.info("audit log: indexed {} records by credential and agent, {} to go", done, left);
      }
      done +=
          db.write(
              c -> {
                Head head = readHead(c, physical(c), db.writeGeneration());
                return AuditIndex.add(c, head.indexed(), head.seq()) - head.indexed();
              });
    }
    return done;
  }

  private static long unindexed(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT seq - indexed_seq FROM audit_head WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static AuditRecord row(ResultSet rs) throws SQLException {
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
