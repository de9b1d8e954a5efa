package io.secretless.warehouse;

import io.secretless.warehouse.audit.AuditEvent.Outcome;
import io.secretless.warehouse.crypto.KeyRing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Read-only views over the credentials a caller may see: expiring soon, statistics. */
public final class Reports {
  private final Warehouse warehouse;
  private final KeyRing keys;

  public Reports(Warehouse warehouse, KeyRing keys) {
    this.warehouse = warehouse;
    this.keys = keys;
  }

  /** Credentials the caller owns, administers, or holds a read grant on. */
  static List<Credential> visible(Warehouse w, Caller caller) {
    return w.db.read(
        c -> {
          List<Credential> all = w.credentials.all(c);
          if (caller.isAdmin()) {
            return all;
          }
          List<Grant> grants = w.grants.all(c);
          return all.stream()
              .filter(cred -> AccessPolicy.allows(caller, cred, grants, Permission.READ))
              .toList();
        });
  }

  /**
   * Credentials that expire, or are due for rotation (last rotation plus the interval), within
   * {@code days} days from now, soonest first. Already expired ones are included.
   */
  public List<Expiring> expiring(Caller caller, int days) {
    Instant limit;
    try {
      limit = warehouse.clock.instant().plus(warehouse.window(days));
    } catch (WarehouseException e) {
      throw warehouse.auditor.refuse(caller, "expiring", "*", Outcome.INVALID, e);
    }
    List<Expiring> out = new ArrayList<>();
    for (Credential cred : visible(warehouse, caller)) {
      if (cred.expiresAt().isPresent() && !cred.expiresAt().get().isAfter(limit)) {
        out.add(new Expiring(cred, "expires", cred.expiresAt().get()));
      } else if (!cred.rotationDueAt().isAfter(limit)) {
        out.add(new Expiring(cred, "rotation_due", cred.rotationDueAt()));
      }
    }
    out.sort(Comparator.comparing(Expiring::dueAt));
    warehouse.auditor.record(
        caller, "expiring", "*", Outcome.SUCCESS, out.size() + " within " + days + " days");
    return out;
  }

  /**
   * Totals over the credentials the caller may see (all of them for an admin). This node's access
   * counts are written first, so its own reads are all in the total.
   */
  public Statistics statistics(Caller caller) {
    warehouse.db.flushAccessCounts();
    List<Credential> creds = visible(warehouse, caller);
    Map<String, Long> byType = new TreeMap<>();
    long expired = 0;
    long accesses = 0;
    Instant now = warehouse.clock.instant();
    for (Credential cred : creds) {
      byType.merge(cred.type().orElse("untyped"), 1L, Long::sum);
      expired += cred.isExpired(now) ? 1 : 0;
      accesses += cred.accessCount();
    }
    long grantCount = warehouse.db.read(c -> (long) warehouse.grants.all(c).size());
    warehouse.auditor.record(caller, "stats", "*", Outcome.SUCCESS, creds.size() + " credentials");
    return new Statistics(
        creds.size(),
        byType,
        expired,
        accesses,
        caller.isAdmin() ? grantCount : 0,
        warehouse.audit.count(),
        keys.size());
  }
}
