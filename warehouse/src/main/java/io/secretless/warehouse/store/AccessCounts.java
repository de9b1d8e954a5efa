package io.secretless.warehouse.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reads of one group-commit batch, summed per credential and written as one {@code UPDATE ...
 * FROM (VALUES ...)} (SQLite and PostgreSQL alike) instead of one update per read. Rows are updated
 * in credential-id order, so two nodes flushing overlapping batches on PostgreSQL lock them in the
 * same order (and both hold the audit chain head first, see AuditLog).
 */
final class AccessCounts implements WriteBatch.Deferred {
  private static final int[] CHUNKS = {32, 8, 1};
  private final String[] sql = new String[CHUNKS.length];
  private final Database.Dialect dialect;
  // id -> {reads, latest millis}; sorted for the lock order.
  private final Map<String, long[]> reads = new TreeMap<>();

  AccessCounts(Database.Dialect dialect) {
    this.dialect = dialect;
  }

  void add(String credentialId, long atMillis) {
    long[] r = reads.computeIfAbsent(credentialId, k -> new long[2]);
    r[0]++;
    r[1] = Math.max(r[1], atMillis);
  }

  @Override
  public void flush(Connection c) throws SQLException {
    var rows = reads.entrySet().iterator();
    int left = reads.size();
    while (left > 0) {
      int k = MultiRow.chunk(left, CHUNKS);
      int n = CHUNKS[k];
      if (sql[k] == null) {
        sql[k] = sql(n);
      }
      PreparedStatement ps = StatementCache.prepare(c, sql[k]);
      int p = 1;
      for (int i = 0; i < n; i++) {
        Map.Entry<String, long[]> e = rows.next();
        ps.setString(p++, e.getKey());
        ps.setLong(p++, e.getValue()[0]);
        ps.setLong(p++, e.getValue()[1]);
      }
      ps.executeUpdate();
      left -= n;
    }
    reads.clear();
  }

  private String sql(int rows) {
    // A read that lost a race with another node's write is still counted; last_access never moves
    // back (another node may have committed a later read first).
    String latest =
        dialect == Database.Dialect.POSTGRESQL
            ? "GREATEST(COALESCE(last_access, 0), v.column3)"
            : "max(COALESCE(last_access, 0), v.column3)";
    return "UPDATE credentials SET access_count = access_count + v.column2, last_access = "
        + latest
        + " FROM (VALUES "
        + MultiRow.placeholders(rows, 3)
        + ") AS v WHERE credentials.id = v.column1";
  }
}
