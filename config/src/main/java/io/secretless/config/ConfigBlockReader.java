package io.secretless.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A service's {@code config:} mapping. The broker-level keys are checked here (timeouts, {@code
 * maxConnections}, {@code credentialValidations}, {@code authenticateURLsMatching}); every other
 * key belongs to the connector, which validates it itself.
 */
final class ConfigBlockReader {
  static final List<String> DURATION_KEYS =
      List.of("connectTimeout", "idleTimeout", "handshakeTimeout");
  static final List<String> BROKER_KEYS =
      ServiceConfig.BROKER_CONFIG_KEYS.stream().sorted().toList();

  private final Diagnostics diagnostics;

  ConfigBlockReader(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** The connector's tree (without credentialValidations) and the compiled validations. */
  record Block(ConfigTree tree, Map<String, Pattern> validations) {}

  Block read(Section service, String serviceName, Set<String> credentialNames) {
    Optional<YamlValue.Mapping> config = service.mappingValue("config");
    if (config.isEmpty()) {
      return new Block(ConfigTree.empty(service.keyPosition("config")), Map.of());
    }
    Section section =
        new Section(
            config.get(),
            "config of service " + serviceName,
            service.keyPosition("config"),
            diagnostics);
    misspeltBrokerKeys(config.get());
    for (String key : DURATION_KEYS) {
      section.scalar(key).ifPresent(s -> duration(key, s));
    }
    section.scalar("maxConnections").ifPresent(this::maxConnections);
    if (section.has("authenticateURLsMatching")) {
      patterns(section, "authenticateURLsMatching");
    }
    Map<String, Pattern> validations = validations(section, serviceName, credentialNames);
    return new Block(tree(config.get(), Set.of("credentialValidations")), validations);
  }

  /**
   * Other keys belong to the connector, which checks them; but a key that is plainly a misspelt
   * broker key would otherwise be silently ignored, so it is reported here.
   */
  private void misspeltBrokerKeys(YamlValue.Mapping config) {
    for (YamlValue.Entry entry : config.entries()) {
      if (!BROKER_KEYS.contains(entry.key())) {
        DidYouMean.suggest(entry.key(), BROKER_KEYS)
            .ifPresent(
                s ->
                    diagnostics.error(
                        entry.keyPosition(),
                        "unknown key '" + entry.key() + "'; did you mean '" + s + "'?"));
      }
    }
  }

  private void duration(String key, YamlValue.Scalar s) {
    if (Durations.parse(s.value()).isEmpty()) {
      diagnostics.error(
          s.position(),
          "'" + key + "' must be " + Durations.EXPECTED + ", got '" + s.shown() + "'");
    }
  }

  private void maxConnections(YamlValue.Scalar s) {
    long n =
        s.typed() instanceof Long l
            ? l
            : s.value().matches("\\d{1,18}") ? Long.parseLong(s.value()) : 0;
    if (n <= 0 || n > Integer.MAX_VALUE) {
      diagnostics.error(
          s.position(),
          "'maxConnections' must be a positive whole number, got '" + s.shown() + "'");
    }
  }

  private Map<String, Pattern> validations(
      Section section, String serviceName, Set<String> credentialNames) {
    Map<String, Pattern> out = new LinkedHashMap<>();
    Optional<YamlValue.Mapping> mapping = section.mappingValue("credentialValidations");
    if (mapping.isEmpty()) {
      return out;
    }
    for (YamlValue.Entry entry : mapping.get().entries()) {
      String name = entry.key();
      if (!credentialNames.contains(name)) {
        String hint =
            DidYouMean.suggest(name, credentialNames)
                .map(s -> "; did you mean '" + s + "'?")
                .orElse("; its credentials are: " + String.join(", ", credentialNames));
        diagnostics.error(
            entry.keyPosition(),
            "credentialValidations names '"
                + name
                + "', which is not a credential of service "
                + serviceName
                + hint);
        continue;
      }
      if (entry.value() instanceof YamlValue.Scalar s && !s.isNull()) {
        compile(s, "credentialValidations '" + name + "'").ifPresent(p -> out.put(name, p));
      } else {
        diagnostics.error(
            entry.value().position(),
            "credentialValidations '"
                + name
                + "' must be a regular expression, not "
                + entry.value().kind());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** A key holding one regular expression or a list of them; each is compiled to check it. */
  List<Pattern> patterns(Section section, String key) {
    List<Pattern> out = new ArrayList<>();
    Optional<YamlValue> value = section.value(key);
    List<YamlValue> items =
        value
            .map(v -> v instanceof YamlValue.Sequence q ? q.items() : List.of(v))
            .orElse(List.of());
    for (YamlValue item : items) {
      if (item instanceof YamlValue.Scalar s && !s.isNull()) {
        compile(s, "'" + key + "'").ifPresent(out::add);
      } else {
        diagnostics.error(
            item.position(),
            "'" + key + "' must be a regular expression or a list of them, not " + item.kind());
      }
    }
    return out;
  }

  Optional<Pattern> compile(YamlValue.Scalar s, String what) {
    try {
      return Optional.of(Pattern.compile(s.value()));
    } catch (PatternSyntaxException e) {
      diagnostics.error(
          s.position(),
          what
              + " is not a valid regular expression: "
              + s.redact(e.getDescription())
              + (e.getIndex() >= 0 && !s.expanded() ? " at index " + e.getIndex() : ""));
      return Optional.empty();
    }
  }

  /** The mapping as a connector sees it: YAML-typed values, keys' positions, minus {@code drop}. */
  static ConfigTree tree(YamlValue.Mapping mapping, Set<String> drop) {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Position> positions = new LinkedHashMap<>();
    for (YamlValue.Entry entry : mapping.entries()) {
      if (!drop.contains(entry.key())) {
        values.put(entry.key(), plain(entry.value()));
        positions.put(entry.key(), entry.keyPosition());
      }
    }
    return new ConfigTree(values, positions, mapping.position());
  }

  private static Object plain(YamlValue value) {
    return switch (value) {
      case YamlValue.Scalar s -> s.typed();
      case YamlValue.Mapping m -> tree(m, Set.of());
      case YamlValue.Sequence q -> {
        List<Object> items = new ArrayList<>();
        q.items().forEach(item -> items.add(plain(item)));
        yield Collections.unmodifiableList(items);
      }
    };
  }
}
