package io.secretless.config;

import java.util.List;
import java.util.Optional;

/**
 * A mapping the loader owns, read with type checks: every wrong key or wrong type becomes an error
 * in {@link Diagnostics}, and the accessors return empty so that reading goes on.
 */
final class Section {
  private final YamlValue.Mapping mapping;
  private final String owner;
  private final Position ownerPosition;
  private final Diagnostics diagnostics;

  /**
   * @param owner what the mapping is, for messages about missing keys ("service orders-db")
   * @param ownerPosition where missing keys are reported: the key that owns the mapping
   */
  Section(
      YamlValue.Mapping mapping, String owner, Position ownerPosition, Diagnostics diagnostics) {
    this.mapping = mapping;
    this.owner = owner;
    this.ownerPosition = ownerPosition;
    this.diagnostics = diagnostics;
  }

  YamlValue.Mapping mapping() {
    return mapping;
  }

  Position ownerPosition() {
    return ownerPosition;
  }

  /** Reports every key not in {@code allowed}, with a suggestion. */
  void allowOnly(List<String> allowed) {
    for (YamlValue.Entry entry : mapping.entries()) {
      if (!allowed.contains(entry.key())) {
        diagnostics.error(entry.keyPosition(), DidYouMean.unknown("key", entry.key(), allowed));
      }
    }
  }

  boolean has(String key) {
    return mapping.has(key);
  }

  Position keyPosition(String key) {
    return mapping.entry(key).map(YamlValue.Entry::keyPosition).orElse(ownerPosition);
  }

  /** The value of {@code key}; absent when missing or YAML null. */
  Optional<YamlValue> value(String key) {
    return mapping
        .entry(key)
        .map(YamlValue.Entry::value)
        .filter(v -> !(v instanceof YamlValue.Scalar s && s.isNull()));
  }

  Optional<YamlValue.Scalar> scalar(String key) {
    return value(key).flatMap(v -> as(key, v, YamlValue.Scalar.class, "a single value"));
  }

  Optional<YamlValue.Mapping> mappingValue(String key) {
    return value(key).flatMap(v -> as(key, v, YamlValue.Mapping.class, "a mapping of key: value"));
  }

  Optional<YamlValue.Sequence> sequence(String key) {
    return value(key).flatMap(v -> as(key, v, YamlValue.Sequence.class, "a list"));
  }

  /** A scalar that must be present; a missing one is reported at the owner. */
  Optional<YamlValue.Scalar> requiredScalar(String key) {
    if (value(key).isEmpty()) {
      missing(key);
      return Optional.empty();
    }
    return scalar(key);
  }

  void missing(String key) {
    if (mapping.has(key)) {
      diagnostics.error(keyPosition(key), "'" + key + "' of " + owner + " has no value");
    } else {
      diagnostics.error(ownerPosition, owner + " has no '" + key + "'");
    }
  }

  private <T extends YamlValue> Optional<T> as(
      String key, YamlValue value, Class<T> type, String expected) {
    if (type.isInstance(value)) {
      return Optional.of(type.cast(value));
    }
    diagnostics.error(
        value.position(), "'" + key + "' must be " + expected + ", not " + value.kind());
    return Optional.empty();
  }
}
