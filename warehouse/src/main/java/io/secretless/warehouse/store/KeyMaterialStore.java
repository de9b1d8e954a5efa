package io.secretless.warehouse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Named blobs of key material: the encrypted key-encryption keyset, the encrypted token signing
 * key, the passphrase salt. Values are written already encrypted (or not secret at all).
 */
public final class KeyMaterialStore {
  private final Database db;

  public KeyMaterialStore(Database db) {
    this.db = db;
  }

  public Optional<String> get(String name) {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT material FROM key_material WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
          }
        });
  }

  /** Stores {@code material} unless {@code name} exists; returns the value now stored. */
  public String putIfAbsent(String name, String material) {
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO key_material (name, material, updated_at) VALUES (?, ?, ?)"
                      + " ON CONFLICT (name) DO NOTHING")) {
            ps.setString(1, name);
            ps.setString(2, material);
            ps.setLong(3, System.currentTimeMillis());
            return ps.executeUpdate();
          }
        });
    return get(name).orElseThrow();
  }

  /** Replaces {@code name} only if it still holds {@code expected} (optimistic concurrency). */
  public boolean replace(String name, String expected, String material) {
    return db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE key_material SET material = ?, updated_at = ? WHERE name = ? AND material = ?")) {
            ps.setString(1, material);
            ps.setLong(2, System.currentTimeMillis());
            ps.setString(3, name);
            ps.setString(4, expected);
            return ps.executeUpdate() == 1;
          }
        });
  }
}
