package io.secretless.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Collects every error and warning of one load, so that the user sees all problems at once. */
final class Diagnostics {
  private static final Comparator<ConfigError> BY_POSITION =
      Comparator.comparingInt((ConfigError e) -> e.position().line())
          .thenComparingInt(e -> e.position().column());

  private final String file;
  private final List<ConfigError> errors = new ArrayList<>();
  private final List<ConfigError> warnings = new ArrayList<>();
  private final Set<Position> silenced = new HashSet<>();

  Diagnostics(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  Position start() {
    return new Position(file, 1, 1);
  }

  void error(Position position, String message) {
    if (!silenced.contains(position)) {
      errors.add(new ConfigError(position, message));
    }
  }

  /**
   * Reports an error and suppresses any later error at the same position: a value whose environment
   * variable is unset would otherwise also be reported as, say, a bad URL.
   */
  void errorOnce(Position position, String message) {
    error(position, message);
    silenced.add(position);
  }

  void warn(Position position, String message) {
    warnings.add(new ConfigError(position, message));
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  List<ConfigError> errors() {
    return errors.stream().sorted(BY_POSITION).toList();
  }

  List<String> warnings() {
    return warnings.stream().sorted(BY_POSITION).map(ConfigError::toString).toList();
  }
}
