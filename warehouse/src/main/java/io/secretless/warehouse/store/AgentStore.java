package io.secretless.warehouse.store;

import io.secretless.warehouse.Agent;
import io.secretless.warehouse.WarehouseException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Registered agents (OAuth2 clients) and their hashed client secrets. */
public final class AgentStore {
  private final Database db;

  public AgentStore(Database db) {
    this.db = db;
  }

  /** A stored agent with its secret hash (only the token endpoint needs the hash). */
  public record Registered(Agent agent, String secretHash) {}

  public void create(Agent agent, String secretHash) {
    db.write(
        c -> {
          try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM agents WHERE id = ?")) {
            check.setString(1, agent.id());
            try (ResultSet rs = check.executeQuery()) {
              if (rs.next()) {
                throw WarehouseException.conflict("agent " + agent.id() + " already exists");
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO agents (id, roles, secret_hash, created_at) VALUES (?,?,?,?)")) {
            ps.setString(1, agent.id());
            ps.setString(2, String.join(",", new TreeSet<>(agent.roles())));
            ps.setString(3, secretHash);
            ps.setLong(4, agent.createdAt().toEpochMilli());
            return ps.executeUpdate();
          }
        });
  }

  public Optional<Registered> find(String id) {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT * FROM agents WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(new Registered(row(rs), rs.getString("secret_hash")))
                  : Optional.empty();
            }
          }
        });
  }

  public List<Agent> all() {
    return db.read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT * FROM agents ORDER BY id");
              ResultSet rs = ps.executeQuery()) {
            List<Agent> out = new ArrayList<>();
            while (rs.next()) {
              out.add(row(rs));
            }
            return out;
          }
        });
  }

  private static Agent row(ResultSet rs) throws SQLException {
    String roles = rs.getString("roles");
    return new Agent(
        rs.getString("id"),
        roles.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(roles.split(","))),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }
}
