package io.secretless.warehouse.audit;

import java.util.Optional;

/** Filters for reading the audit log; empty means "any". Results come newest last. */
public record AuditQuery(
    Optional<String> credentialId,
    Optional<String> agent,
    Optional<Long> sinceMillis,
    Optional<Long> untilMillis,
    int limit) {
  public static AuditQuery all(int limit) {
    return new AuditQuery(
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }
}
