package io.secretless.warehouse.store;

import io.secretless.warehouse.Grant;
import io.secretless.warehouse.Permission;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

/** SQL for grants: one row per credential and grantee, permissions as a comma list. */
public final class GrantStore {
  private static final String SELECT =
      "SELECT credential_id, grantee, permissions, granted_by, created_at FROM grants";

  /** Creates or replaces the grant of {@code g.grantee()} on {@code g.credentialId()}. */
  public void put(Connection c, Grant g) throws SQLException {
    remove(c, g.credentialId(), g.grantee());
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO grants (credential_id, grantee, permissions, granted_by, created_at)"
                + " VALUES (?,?,?,?,?)")) {
      ps.setString(1, g.credentialId());
      ps.setString(2, g.grantee());
      ps.setString(
          3,
          g.permissions().stream().map(Permission::wire).sorted().collect(Collectors.joining(",")));
      ps.setString(4, g.grantedBy());
      ps.setLong(5, g.at().toEpochMilli());
      ps.executeUpdate();
    }
  }

  public boolean remove(Connection c, String credentialId, String grantee) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM grants WHERE credential_id = ? AND grantee = ?")) {
      ps.setString(1, credentialId);
      ps.setString(2, grantee);
      return ps.executeUpdate() > 0;
    }
  }

  public List<Grant> forCredential(Connection c, String credentialId) throws SQLException {
    PreparedStatement ps = StatementCache.prepare(c, SELECT + " WHERE credential_id = ?");
    ps.setString(1, credentialId);
    return rows(ps);
  }

  public List<Grant> all(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT)) {
      return rows(ps);
    }
  }

  /** The grants {@code ps} (a {@link #SELECT}) returns, read by column index. */
  private static List<Grant> rows(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<Grant> out = new ArrayList<>();
      while (rs.next()) {
        EnumSet<Permission> perms = EnumSet.noneOf(Permission.class);
        for (String p : rs.getString(3).split(",")) {
          if (!p.isBlank()) {
            perms.add(Permission.parse(p));
          }
        }
        out.add(
            new Grant(
                rs.getString(1),
                rs.getString(2),
                perms,
                rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5))));
      }
      return out;
    }
  }
}
