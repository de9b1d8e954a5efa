package io.secretless.warehouse;

import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.audit.AuditEvent.Outcome;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Grants and revocations. Only a credential's owner or an admin may grant or revoke. */
public final class Sharing {
  private static final Pattern GRANTEE = Pattern.compile("(agent|role):[A-Za-z0-9_.@-]{1,128}");
  private final Warehouse warehouse;

  public Sharing(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /** Gives {@code grantee} ({@code agent:ID} or {@code role:NAME}) {@code permissions}. */
  public Grant grant(Caller caller, String ref, String grantee, Set<Permission> permissions) {
    String action = "grant";
    Credential cred = warehouse.locate(caller, action, ref, Optional.empty()).cred();
    if (!GRANTEE.matcher(grantee).matches() || permissions.isEmpty()) {
      throw warehouse.auditor.refuse(
          caller,
          action,
          cred.id(),
          Outcome.INVALID,
          WarehouseException.badRequest(
              "grantee must be agent:<id> or role:<name> with at least one permission (read, rotate)"));
    }
    var grant =
        new Grant(
            cred.id(),
            grantee,
            EnumSet.copyOf(permissions),
            caller.agentId(),
            warehouse.clock.instant());
    return warehouse.auditor.write(
        caller,
        action,
        cred.id(),
        c -> {
          warehouse.grants.put(c, grant);
          warehouse.audit.append(
              c,
              warehouse.auditor.event(
                  caller,
                  action,
                  cred.id(),
                  Outcome.SUCCESS,
                  grantee + " " + describe(permissions)));
          return grant;
        });
  }

  /** Removes {@code grantee}'s grant; 404 if it had none. */
  public void revoke(Caller caller, String ref, String grantee) {
    String action = "revoke";
    Credential cred = warehouse.locate(caller, action, ref, Optional.empty()).cred();
    warehouse.auditor.write(
        caller,
        action,
        cred.id(),
        c -> {
          if (!warehouse.grants.remove(c, cred.id(), grantee)) {
            throw warehouse.auditor.refuseLater(
                action, ErrorCode.NOT_FOUND, grantee + " holds no grant on " + cred.name());
          }
          warehouse.audit.append(
              c, warehouse.auditor.event(caller, action, cred.id(), Outcome.SUCCESS, grantee));
          return null;
        });
    warehouse.changes().changed();
  }

  /** The grants on {@code ref} (owner or admin only). */
  public List<Grant> grants(Caller caller, String ref) {
    Credential cred = warehouse.locate(caller, "list_grants", ref, Optional.empty()).cred();
    List<Grant> out = warehouse.db.read(c -> warehouse.grants.forCredential(c, cred.id()));
    warehouse.auditor.record(
        caller, "list_grants", cred.id(), Outcome.SUCCESS, out.size() + " grants");
    return out;
  }

  private static String describe(Set<Permission> permissions) {
    return permissions.stream().map(Permission::wire).sorted().toList().toString();
  }
}
