package io.secretless.warehouse;

import java.util.Set;

/**
 * The authenticated agent behind a request, with where it came from (for the audit log).
 *
 * @param agentId the token's subject
 * @param roles roles from the agent registry or the token's {@code roles} claim
 */
public record Caller(String agentId, Set<String> roles, String source, String userAgent) {
  public static final String ADMIN_ROLE = "admin";

  public Caller {
    roles = Set.copyOf(roles);
  }

  public boolean isAdmin() {
    return roles.contains(ADMIN_ROLE);
  }
}
