package io.secretless.warehouse;

import java.time.Duration;
import java.util.List;

/**
 * A kind of credential: the data fields it must carry, how often it should be rotated, and the tags
 * a new credential of this type gets by default.
 */
public record CredentialType(
    String name, List<String> requiredFields, Duration rotationInterval, List<String> defaultTags) {
  public CredentialType {
    requiredFields = List.copyOf(requiredFields);
    defaultTags = List.copyOf(defaultTags);
    if (rotationInterval.isNegative() || rotationInterval.isZero()) {
      throw WarehouseException.badRequest(
          "credential type " + name + ": rotation interval must be positive");
    }
  }

  static CredentialType of(String name, List<String> fields, int days, List<String> tags) {
    return new CredentialType(name, fields, Duration.ofDays(days), tags);
  }
}
