package io.secretless.warehouse.audit;

/** One stored, chained audit record. {@code hash} covers every other field and {@code prevHash}. */
public record AuditRecord(
    long seq,
    long atMillis,
    String agent,
    String action,
    String credentialId,
    String outcome,
    String reason,
    String source,
    String userAgent,
    String prevHash,
    String hash) {
  /** This record with {@code hash} set. */
  AuditRecord withHash(String hash) {
    return new AuditRecord(
        seq,
        atMillis,
        agent,
        action,
        credentialId,
        outcome,
        reason,
        source,
        userAgent,
        prevHash,
        hash);
  }
}
