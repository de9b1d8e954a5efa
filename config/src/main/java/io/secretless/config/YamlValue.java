package io.secretless.config;

import java.util.List;
import java.util.Optional;

/**
 * The YAML document as the loader sees it: every node keeps its position, scalars keep both the
 * text as written and the value after {@code ${VAR}} expansion, so that messages can quote what the
 * user wrote without ever printing an expanded (possibly secret) value.
 */
sealed interface YamlValue {
  Position position();

  /** How this kind of node is named in messages: "a value", "a mapping", "a list". */
  String kind();

  /**
   * A scalar.
   *
   * @param value the text after {@code ${VAR}} expansion
   * @param raw the text as written in the file
   * @param typed the value as YAML typed it (String, Boolean, Long, Double) or null for YAML null;
   *     always the expanded String when the scalar referenced an environment variable
   * @param expanded whether a {@code ${VAR}} reference was substituted
   */
  record Scalar(String value, String raw, Object typed, boolean expanded, Position position)
      implements YamlValue {
    boolean isNull() {
      return typed == null;
    }

    /** Safe to put in a message: the text as written when an environment value went into it. */
    String shown() {
      return expanded ? raw : value;
    }

    /** Replaces the expanded value by the text as written wherever it occurs in {@code message}. */
    String redact(String message) {
      return expanded && !value.isEmpty() ? message.replace(value, raw) : message;
    }

    @Override
    public String kind() {
      return "a value";
    }
  }

  /** One {@code key: value} of a mapping; the key's own position is where key errors point. */
  record Entry(String key, Position keyPosition, YamlValue value) {}

  record Mapping(List<Entry> entries, Position position) implements YamlValue {
    Optional<Entry> entry(String key) {
      return entries.stream().filter(e -> e.key().equals(key)).findFirst();
    }

    boolean has(String key) {
      return entry(key).isPresent();
    }

    @Override
    public String kind() {
      return "a mapping";
    }
  }

  record Sequence(List<YamlValue> items, Position position) implements YamlValue {
    @Override
    public String kind() {
      return "a list";
    }
  }
}
