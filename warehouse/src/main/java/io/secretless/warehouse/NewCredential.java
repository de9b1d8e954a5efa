package io.secretless.warehouse;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A store request: name, optional type, the data fields to encrypt, tags and lifetimes. */
public record NewCredential(
    String name,
    Optional<String> type,
    Map<String, String> data,
    List<String> tags,
    Optional<Instant> expiresAt,
    Optional<Integer> rotationDays) {
  public NewCredential {
    data = Map.copyOf(data);
    tags = List.copyOf(tags);
  }

  @Override
  public String toString() {
    return "NewCredential[name=" + name + ", type=" + type + ", fields=" + data.keySet() + "]";
  }
}
