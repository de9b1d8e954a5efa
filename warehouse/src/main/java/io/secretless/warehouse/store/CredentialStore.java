package io.secretless.warehouse.store;

import io.secretless.warehouse.Credential;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * SQL for credentials and their encrypted versions. Every method runs on a connection the caller
 * holds, so one operation's reads, writes and audit record share a transaction.
 */
public final class CredentialStore {
  private static final String COLUMNS =
      "id, name, type, tags, owner, created_at, updated_at, expires_at, rotation_days, version,"
          + " access_count, last_access";

  private static final String INSERT =
      "INSERT INTO credentials (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String INSERT_VERSION =
      "INSERT INTO credential_versions (credential_id, version, ciphertext, created_at)"
          + " VALUES (?,?,?,?)";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM credentials WHERE id = ?";
  private static final String BY_NAME = "SELECT " + COLUMNS + " FROM credentials WHERE name = ?";
  // One statement instead of two: an id match sorts before a name match.
  private static final String BY_REF =
      "SELECT "
          + COLUMNS
          + " FROM credentials WHERE id = ? OR name = ?"
          + " ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END LIMIT 1";
  // As BY_REF, with the current version's ciphertext (NULL when it is gone) as a 13th column.
  private static final String BY_REF_SEALED =
      "SELECT c."
          + COLUMNS.replace(", ", ", c.")
          + ", v.ciphertext FROM credentials c LEFT JOIN credential_versions v"
          + " ON v.credential_id = c.id AND v.version = c.version"
          + " WHERE c.id = ? OR c.name = ?"
          + " ORDER BY CASE WHEN c.id = ? THEN 0 ELSE 1 END LIMIT 1";
  private static final String CIPHERTEXT =
      "SELECT ciphertext FROM credential_versions WHERE credential_id = ? AND version = ?";

  /** One stored encrypted version. */
  public record SealedVersion(String credentialId, int version, String ciphertext) {}

  public void insert(Connection c, Credential cred, String ciphertext) throws SQLException {
    PreparedStatement ps = StatementCache.prepare(c, INSERT);
    ps.setString(1, cred.id());
    ps.setString(2, cred.name());
    ps.setString(3, cred.type().orElse(null));
    ps.setString(4, String.join(",", cred.tags()));
    ps.setString(5, cred.owner());
    ps.setLong(6, cred.createdAt().toEpochMilli());
    ps.setLong(7, cred.updatedAt().toEpochMilli());
    setInstant(ps, 8, cred.expiresAt());
    ps.setInt(9, cred.rotationDays());
    ps.setInt(10, cred.version());
    ps.setLong(11, 0);
    ps.setNull(12, Types.BIGINT);
    ps.executeUpdate();
    insertVersion(c, cred.id(), cred.version(), ciphertext, cred.createdAt());
  }

  private static void insertVersion(
      Connection c, String id, int version, String ciphertext, Instant at) throws SQLException {
    PreparedStatement ps = StatementCache.prepare(c, INSERT_VERSION);
    ps.setString(1, id);
    ps.setInt(2, version);
    ps.setString(3, ciphertext);
    ps.setLong(4, at.toEpochMilli());
    ps.executeUpdate();
  }

  private static void setInstant(PreparedStatement ps, int i, Optional<Instant> at)
      throws SQLException {
    if (at.isPresent()) {
      ps.setLong(i, at.get().toEpochMilli());
    } else {
      ps.setNull(i, Types.BIGINT);
    }
  }

  public Optional<Credential> byId(Connection c, String id) throws SQLException {
    return one(c, BY_ID, id);
  }

  public Optional<Credential> byName(Connection c, String name) throws SQLException {
    return one(c, BY_NAME, name);
  }

  /** Looks {@code ref} up as an id first, then as a name. */
  public Optional<Credential> byRef(Connection c, String ref) throws SQLException {
    return one(c, BY_REF, ref, ref, ref);
  }

  /** A credential and its current version's ciphertext (empty if that version is gone). */
  public record Sealed(Credential credential, Optional<String> ciphertext) {}

  /**
   * As {@link #byRef}, with the current version's ciphertext read in the same statement (a read
   * request's one look-up).
   */
  public Optional<Sealed> byRefWithCiphertext(Connection c, String ref) throws SQLException {
    PreparedStatement ps = StatementCache.prepare(c, BY_REF_SEALED);
    ps.setString(1, ref);
    ps.setString(2, ref);
    ps.setString(3, ref);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(new Sealed(row(rs), Optional.ofNullable(rs.getString(13))));
    }
  }

  private Optional<Credential> one(Connection c, String sql, String... args) throws SQLException {
    PreparedStatement ps = StatementCache.prepare(c, sql);
    for (int i = 0; i < args.length; i++) {
      ps.setString(i + 1, args[i]);
    }
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(row(rs)) : Optional.empty();
    }
  }

  public List<Credential> all(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM credentials ORDER BY name");
        ResultSet rs = ps.executeQuery()) {
      List<Credential> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row(rs));
      }
      return out;
    }
  }

  /** A row of {@link #COLUMNS}, read by column index (in that order). */
  private static Credential row(ResultSet rs) throws SQLException {
    String tags = rs.getString(4);
    long expires = rs.getLong(8);
    boolean noExpiry = rs.wasNull();
    long last = rs.getLong(12);
    boolean neverAccessed = rs.wasNull();
    return new Credential(
        rs.getString(1),
        rs.getString(2),
        Optional.ofNullable(rs.getString(3)),
        tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")),
        rs.getString(5),
        Instant.ofEpochMilli(rs.getLong(6)),
        Instant.ofEpochMilli(rs.getLong(7)),
        noExpiry ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires)),
        rs.getInt(9),
        rs.getInt(10),
        rs.getLong(11),
        neverAccessed ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last)));
  }

  public Optional<String> ciphertext(Connection c, String id, int version) throws SQLException {
    PreparedStatement ps = StatementCache.prepare(c, CIPHERTEXT);
    ps.setString(1, id);
    ps.setInt(2, version);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  /**
   * Stores {@code version} as the current one if the row is still at {@code version - 1}, and drops
   * versions older than the newest {@code keep + 1}. Returns false when another writer won.
   */
  public boolean rotate(
      Connection c,
      String id,
      int version,
      String ciphertext,
      Instant now,
      Optional<Instant> expiresAt,
      int keep)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE credentials SET version = ?, updated_at = ?, expires_at = ?"
                + " WHERE id = ? AND version = ?")) {
      ps.setInt(1, version);
      ps.setLong(2, now.toEpochMilli());
      setInstant(ps, 3, expiresAt);
      ps.setString(4, id);
      ps.setInt(5, version - 1);
      if (ps.executeUpdate() != 1) {
        return false;
      }
    }
    insertVersion(c, id, version, ciphertext, now);
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM credential_versions WHERE credential_id = ? AND version < ?")) {
      ps.setString(1, id);
      ps.setInt(2, version - keep);
      ps.executeUpdate();
    }
    return true;
  }

  /** Deletes the credential, its grants and every encrypted version. */
  public boolean delete(Connection c, String id) throws SQLException {
    for (String sql :
        List.of(
            "DELETE FROM credential_versions WHERE credential_id = ?",
            "DELETE FROM grants WHERE credential_id = ?")) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM credentials WHERE id = ?")) {
      ps.setString(1, id);
      return ps.executeUpdate() == 1;
    }
  }

  /** Every stored version (for re-wrapping under a new key). */
  public List<SealedVersion> versions(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT credential_id, version, ciphertext FROM credential_versions"
                    + " ORDER BY credential_id, version");
        ResultSet rs = ps.executeQuery()) {
      List<SealedVersion> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new SealedVersion(rs.getString(1), rs.getInt(2), rs.getString(3)));
      }
      return out;
    }
  }

  public boolean replaceCiphertext(Connection c, SealedVersion old, String ciphertext)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE credential_versions SET ciphertext = ?"
                + " WHERE credential_id = ? AND version = ? AND ciphertext = ?")) {
      ps.setString(1, ciphertext);
      ps.setString(2, old.credentialId());
      ps.setInt(3, old.version());
      ps.setString(4, old.ciphertext());
      return ps.executeUpdate() == 1;
    }
  }
}
