package io.secretless.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable YAML mapping that remembers where each key stood, so that connectors can report
 * their own config errors as {@code FILE:LINE:COL}. Values are String, Boolean, Long, Double,
 * {@code List<Object>} or ConfigTree; scalars are kept as YAML typed them.
 */
public final class ConfigTree {
  private final Map<String, Object> values;
  private final Map<String, Position> positions;
  private final Position position;

  public ConfigTree(
      Map<String, Object> values, Map<String, Position> positions, Position position) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.positions = Map.copyOf(positions);
    this.position = position;
  }

  public static ConfigTree empty(Position position) {
    return new ConfigTree(Map.of(), Map.of(), position);
  }

  /** Where this mapping starts. */
  public Position position() {
    return position;
  }

  /** Where {@code key} stands, or where this mapping starts when the key is absent. */
  public Position position(String key) {
    return positions.getOrDefault(key, position);
  }

  public Set<String> keys() {
    return values.keySet();
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public Optional<Object> value(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** A scalar as text (numbers and booleans too, as written). */
  public Optional<String> string(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof ConfigTree || v instanceof List<?>) {
      throw new ConfigException(position(key), "'" + key + "' must be a single value");
    }
    return Optional.of(v.toString());
  }

  public boolean bool(String key, boolean defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new ConfigException(
        position(key), "'" + key + "' must be true or false, got '" + s + "'");
  }

  public Optional<ConfigTree> tree(String key) {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof ConfigTree t) {
      return Optional.of(t);
    }
    throw new ConfigException(position(key), "'" + key + "' must be a mapping of key: value");
  }

  /** A scalar or a list of scalars, as a list of text. */
  public List<String> strings(String key) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object item : list) {
        if (item instanceof ConfigTree || item instanceof List<?>) {
          throw new ConfigException(position(key), "'" + key + "' must be a list of values");
        }
        out.add(String.valueOf(item));
      }
      return List.copyOf(out);
    }
    if (v instanceof ConfigTree) {
      throw new ConfigException(position(key), "'" + key + "' must be a value or a list of values");
    }
    return List.of(v.toString());
  }

  /** A mapping of scalar values, as text, in file order. */
  public Map<String, String> stringMap(String key) {
    Optional<ConfigTree> tree = tree(key);
    if (tree.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : tree.get().keys()) {
      out.put(k, tree.get().string(k).orElse(""));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * A duration such as {@code 500ms}, {@code 10s}, {@code 2m} or {@code 1h30m}.
   *
   * @throws ConfigException at the key's position when the value is not a duration
   */
  public Optional<Duration> duration(String key) {
    Optional<String> text = string(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> d = Durations.parse(text.get());
    if (d.isEmpty()) {
      throw new ConfigException(
          position(key),
          "'" + key + "' must be " + Durations.EXPECTED + ", got '" + text.get() + "'");
    }
    return d;
  }

  /**
   * A whole number.
   *
   * @throws ConfigException at the key's position when the value is not one
   */
  public Optional<Long> number(String key) {
    Optional<String> text = string(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (values.get(key) instanceof Long n) {
      return Optional.of(n);
    }
    try {
      return Optional.of(Long.parseLong(text.get()));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          position(key), "'" + key + "' must be a whole number, got '" + text.get() + "'");
    }
  }

  @Override
  public String toString() {
    return "ConfigTree" + values.keySet(); // keys only: values may hold secrets
  }
}
