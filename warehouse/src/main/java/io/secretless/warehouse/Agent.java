package io.secretless.warehouse;

import java.time.Instant;
import java.util.Set;

/** A registered OAuth2 client: its id is the agent id ({@code sub} of its tokens). */
public record Agent(String id, Set<String> roles, Instant createdAt) {
  public Agent {
    roles = Set.copyOf(roles);
  }
}
