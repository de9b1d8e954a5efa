package io.secretless.warehouse.audit;

/**
 * What happened, before it gets a place in the chain. Never holds a secret value: {@code reason} is
 * a human-readable outcome explanation written by the warehouse itself.
 */
public record AuditEvent(
    String agent,
    String action,
    String credentialId,
    Outcome outcome,
    String reason,
    String source,
    String userAgent) {

  /** How the operation ended. */
  public enum Outcome {
    SUCCESS,
    DENIED,
    NOT_FOUND,
    INVALID,
    EXPIRED,
    CONFLICT,
    INTEGRITY_ERROR,
    ERROR;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
