package io.secretless.warehouse;

import java.time.Instant;
import java.util.Set;

/** Permissions on one credential given to a grantee: {@code agent:<id>} or {@code role:<name>}. */
public record Grant(
    String credentialId,
    String grantee,
    Set<Permission> permissions,
    String grantedBy,
    Instant at) {
  public Grant {
    permissions = Set.copyOf(permissions);
  }

  public static String agent(String id) {
    return "agent:" + id;
  }

  public static String role(String name) {
    return "role:" + name;
  }
}
