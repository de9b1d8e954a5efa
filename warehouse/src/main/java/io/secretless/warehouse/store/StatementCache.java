package io.secretless.warehouse.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prepared statements kept open per physical connection, for the statements of the hot paths (a
 * read and its audit record). sqlite-jdbc prepares every statement afresh in native code and the
 * pool does not cache them; PostgreSQL's driver switches a reused statement to a server-side
 * prepared one. Callers must not close what {@link #prepare} returns (they close its result sets).
 *
 * <p>A pooled connection is used by one thread at a time, so each connection's statement map needs
 * no lock. Statements of a connection the pool has closed are dropped the next time the cache grows
 * past {@link #PURGE_AT} connections.
 */
public final class StatementCache {
  private static final int PURGE_AT = 64;
  private static final Map<Connection, Map<String, PreparedStatement>> BY_CONNECTION =
      new ConcurrentHashMap<>();

  private StatementCache() {}

  /** A prepared statement for {@code sql} on {@code c}'s physical connection, kept open. */
  public static PreparedStatement prepare(Connection c, String sql) throws SQLException {
    Connection physical = c.unwrap(Connection.class);
    Map<String, PreparedStatement> statements = BY_CONNECTION.get(physical);
    if (statements == null) {
      if (BY_CONNECTION.size() >= PURGE_AT) {
        purgeClosed();
      }
      statements = new HashMap<>();
      BY_CONNECTION.put(physical, statements);
    }
    PreparedStatement ps = statements.get(sql);
    if (ps == null || ps.isClosed()) {
      ps = physical.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  private static void purgeClosed() {
    BY_CONNECTION
        .keySet()
        .removeIf(
            conn -> {
              try {
                return conn.isClosed();
              } catch (SQLException e) {
                return true;
              }
            });
  }

  /** Number of physical connections with cached statements (for tests). */
  static int connections() {
    return BY_CONNECTION.size();
  }
}
