package io.secretless.warehouse.token;

import io.secretless.core.Secret;
import io.secretless.warehouse.Agent;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.crypto.SecretHasher;
import io.secretless.warehouse.store.AgentStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Agents as OAuth2 clients: registration (the generated client secret is returned once and only its
 * Argon2id hash is stored) and client authentication for the token endpoint.
 */
public final class ClientRegistry {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");
  private final AgentStore agents;
  private final SecretHasher hasher = new SecretHasher();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  // Hashed once so an unknown client id costs as much time as a wrong secret.
  private final String decoyHash;

  public ClientRegistry(AgentStore agents, Clock clock) {
    this.agents = agents;
    this.clock = clock;
    this.decoyHash = hasher.hash(Secret.of("decoy"));
  }

  /** A new agent and its client secret (shown once). */
  public record Registration(Agent agent, Secret clientSecret) {}

  public Registration create(String id, Set<String> roles) {
    if (!ID.matcher(id).matches()) {
      throw WarehouseException.badRequest(
          "agent name must be 1-128 letters, digits and _ . @ - (got '" + id + "')");
    }
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    Secret secret = Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    var agent = new Agent(id, roles, clock.instant());
    agents.create(agent, hasher.hash(secret));
    return new Registration(agent, secret);
  }

  public List<Agent> all() {
    return agents.all();
  }

  public Optional<Agent> find(String id) {
    return agents.find(id).map(AgentStore.Registered::agent);
  }

  /** The agent whose id and secret these are; UNAUTHORIZED otherwise (same answer either way). */
  public Agent authenticate(String clientId, Secret secret) {
    Optional<AgentStore.Registered> found = agents.find(clientId);
    boolean ok =
        hasher.matches(secret, found.map(AgentStore.Registered::secretHash).orElse(decoyHash));
    if (found.isEmpty() || !ok) {
      throw new WarehouseException(ErrorCode.UNAUTHORIZED, "invalid client id or secret");
    }
    return found.get().agent();
  }
}
