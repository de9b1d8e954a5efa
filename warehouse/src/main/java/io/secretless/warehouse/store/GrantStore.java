package io.secretless.warehouse.store;

import io.secretless.warehouse.Grant;
import io.secretless.warehouse.Permission;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

/** SQL for grants: one row per credential and grantee, permissions as a comma list. */
public final class GrantStore {

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
    return query(c, "SELECT * FROM grants WHERE credential_id = ?", credentialId);
  }

  public List<Grant> all(Connection c) throws SQLException {
    return query(c, "SELECT * FROM grants", null);
  }

  private static List<Grant> query(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<Grant> out = new ArrayList<>();
        while (rs.next()) {
          EnumSet<Permission> perms = EnumSet.noneOf(Permission.class);
          Arrays.stream(rs.getString("permissions").split(","))
              .filter(s -> !s.isBlank())
              .map(Permission::parse)
              .forEach(perms::add);
          out.add(
              new Grant(
                  rs.getString("credential_id"),
                  rs.getString("grantee"),
                  perms,
                  rs.getString("granted_by"),
                  Instant.ofEpochMilli(rs.getLong("created_at"))));
        }
        return out;
      }
    }
  }
}
