package io.secretless.warehouse;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A rotate request: the new data, the version the caller expects to replace (check-and-set), and an
 * optional new expiry.
 */
public record Rotation(
    Map<String, String> data, Optional<Integer> expectedVersion, Optional<Instant> expiresAt) {
  public Rotation {
    data = Map.copyOf(data);
  }

  @Override
  public String toString() {
    return "Rotation[fields=" + data.keySet() + ", expectedVersion=" + expectedVersion + "]";
  }
}
