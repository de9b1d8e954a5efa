package io.secretless.warehouse;

import java.util.Collection;

/**
 * Default deny. The owner (creating agent) and any caller with the {@code admin} role may do
 * everything with a credential; anyone else only what a grant to their agent id or one of their
 * roles allows. Granting, revoking and deleting are reserved to the owner and admins.
 */
final class AccessPolicy {
  private AccessPolicy() {}

  static boolean isOwnerOrAdmin(Caller caller, Credential cred) {
    return caller.isAdmin() || cred.owner().equals(caller.agentId());
  }

  static boolean allows(
      Caller caller, Credential cred, Collection<Grant> grants, Permission permission) {
    if (isOwnerOrAdmin(caller, cred)) {
      return true;
    }
    return grants.stream()
        .filter(g -> g.credentialId().equals(cred.id()))
        .filter(g -> appliesTo(g, caller))
        .anyMatch(g -> g.permissions().contains(permission));
  }

  static boolean appliesTo(Grant g, Caller caller) {
    if (g.grantee().equals(Grant.agent(caller.agentId()))) {
      return true;
    }
    return caller.roles().stream().anyMatch(r -> g.grantee().equals(Grant.role(r)));
  }
}
