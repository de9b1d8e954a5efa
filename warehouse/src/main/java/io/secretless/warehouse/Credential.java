package io.secretless.warehouse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A credential's metadata: everything except its data, which is stored only encrypted. Safe to
 * print and to return in listings.
 */
public record Credential(
    String id,
    String name,
    Optional<String> type,
    List<String> tags,
    String owner,
    Instant createdAt,
    Instant updatedAt,
    Optional<Instant> expiresAt,
    int rotationDays,
    int version,
    long accessCount,
    Optional<Instant> lastAccess) {
  public Credential {
    tags = List.copyOf(tags);
  }

  /** When the current version should be rotated: last update plus the rotation interval. */
  public Instant rotationDueAt() {
    return updatedAt.plus(Duration.ofDays(rotationDays));
  }

  public boolean isExpired(Instant now) {
    return expiresAt.map(now::isAfter).orElse(false);
  }
}
