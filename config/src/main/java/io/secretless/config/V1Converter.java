package io.secretless.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Converts CyberArk's version 1 ({@code listeners:} and {@code handlers:}) into version 2 services:
 * one service per handler, named after it, listening where its listener does.
 */
final class V1Converter {
  static final List<String> TOP_LEVEL_KEYS = List.of("version", "listeners", "handlers");
  private static final List<String> LISTENER_KEYS =
      List.of("name", "protocol", "address", "socket", "debug");
  private static final List<String> HANDLER_KEYS =
      List.of("name", "type", "listener", "match", "credentials", "debug");
  private static final List<String> CREDENTIAL_KEYS = List.of("name", "provider", "id");

  private record Listener(
      String protocol,
      YamlValue.Scalar protocolValue,
      ListenAddress address,
      Position addressPosition) {}

  private final Diagnostics diagnostics;
  private final CredentialReader credentials;
  private final ServiceChecks checks;
  private final ConfigBlockReader patterns;

  V1Converter(Diagnostics diagnostics, CredentialReader credentials, ServiceChecks checks) {
    this.diagnostics = diagnostics;
    this.credentials = credentials;
    this.checks = checks;
    this.patterns = new ConfigBlockReader(diagnostics);
  }

  List<ServiceChecks.Read> convert(Section root) {
    root.allowOnly(TOP_LEVEL_KEYS);
    diagnostics.warn(
        diagnostics.start(),
        "version 1 config (listeners/handlers) is deprecated; converted to version 2 services"
            + " (see docs/config.md)");
    Map<String, Listener> listeners = new LinkedHashMap<>();
    for (Section listener : entries(root, "listeners", true)) {
      readListener(listener, listeners);
    }
    List<ServiceChecks.Read> out = new ArrayList<>();
    Map<String, Position> names = new LinkedHashMap<>();
    for (Section handler : entries(root, "handlers", true)) {
      Optional<YamlValue.Scalar> name = handler.requiredScalar("name");
      if (name.isPresent()
          && names.putIfAbsent(name.get().value(), name.get().position()) != null) {
        diagnostics.error(
            name.get().position(), "duplicate handler name '" + name.get().shown() + "'");
        continue;
      }
      readHandler(handler, name.map(YamlValue.Scalar::value).orElse(""), listeners)
          .ifPresent(out::add);
    }
    return out;
  }

  private List<Section> entries(Section root, String key, boolean required) {
    List<Section> out = new ArrayList<>();
    Optional<YamlValue.Sequence> list = root.sequence(key);
    if (required && root.value(key).isEmpty()) {
      root.missing(key);
    }
    String what = key.substring(0, key.length() - 1);
    for (YamlValue item : list.map(YamlValue.Sequence::items).orElse(List.of())) {
      if (item instanceof YamlValue.Mapping m) {
        out.add(new Section(m, "a " + what, m.position(), diagnostics));
      } else {
        diagnostics.error(item.position(), "a " + what + " must be a mapping, not " + item.kind());
      }
    }
    return out;
  }

  private void readListener(Section listener, Map<String, Listener> listeners) {
    listener.allowOnly(LISTENER_KEYS);
    Optional<YamlValue.Scalar> name = listener.requiredScalar("name");
    Optional<YamlValue.Scalar> protocol = listener.requiredScalar("protocol");
    Optional<YamlValue.Scalar> address = listener.scalar("address");
    Optional<YamlValue.Scalar> socket = listener.scalar("socket");
    ListenAddress parsed = null;
    Optional<YamlValue.Scalar> where = address.or(() -> socket);
    if (address.isPresent() && socket.isPresent()) {
      diagnostics.error(
          socket.get().position(), "a listener has either address: or socket:, not both");
    } else if (where.isEmpty()) {
      listener.missing("address");
    } else {
      String text = where.get().value();
      String url = text.startsWith("/") ? "unix://" + text : text;
      try {
        parsed = ListenAddress.parse(url);
      } catch (IllegalArgumentException e) {
        diagnostics.error(where.get().position(), where.get().redact(e.getMessage()));
      }
    }
    if (name.isEmpty()) {
      return;
    }
    if (listeners.containsKey(name.get().value())) {
      diagnostics.error(
          name.get().position(), "duplicate listener name '" + name.get().shown() + "'");
      return;
    }
    listeners.put(
        name.get().value(),
        new Listener(
            protocol.map(YamlValue.Scalar::value).orElse(""),
            protocol.orElse(null),
            parsed,
            where.map(YamlValue::position).orElse(listener.ownerPosition())));
  }

  private Optional<ServiceChecks.Read> readHandler(
      Section handler, String name, Map<String, Listener> listeners) {
    handler.allowOnly(HANDLER_KEYS);
    Optional<YamlValue.Scalar> listenerName = handler.requiredScalar("listener");
    Listener listener = listenerName.map(l -> listeners.get(l.value())).orElse(null);
    if (listenerName.isPresent() && listener == null) {
      diagnostics.error(
          listenerName.get().position(),
          DidYouMean.unknown(
              "listener", listenerName.get().shown(), List.copyOf(listeners.keySet())));
    }
    Set<String> named = new HashSet<>();
    Map<String, CredentialRef> creds = readCredentials(handler, name, named);
    Map<String, Object> config = new LinkedHashMap<>();
    Map<String, Position> positions = new LinkedHashMap<>();
    if (handler.value("match").isPresent()) {
      List<Object> rules = new ArrayList<>();
      patterns.patterns(handler, "match").forEach(p -> rules.add(p.pattern()));
      config.put("authenticateURLsMatching", Collections.unmodifiableList(rules));
      positions.put("authenticateURLsMatching", handler.keyPosition("match"));
    }
    Optional<String> connector = connector(handler, listener);
    if (name.isEmpty() || listener == null || connector.isEmpty()) {
      return Optional.empty();
    }
    Position position = handler.mapping().position();
    ServiceConfig service =
        new ServiceConfig(
            name,
            connector.get(),
            listener.address(),
            Collections.unmodifiableMap(creds),
            new ConfigTree(config, positions, position),
            Map.of(),
            List.of(),
            position);
    checks.requiredCredentials(service, named, handler.keyPosition("credentials"));
    checks.warnIfUnrestricted(service);
    return Optional.of(new ServiceChecks.Read(service, listener.addressPosition()));
  }

  /** From the handler's type ({@code http/basic_auth} or {@code basic_auth}), else the protocol. */
  private Optional<String> connector(Section handler, Listener listener) {
    Optional<YamlValue.Scalar> type = handler.scalar("type");
    YamlValue.Scalar source = type.orElse(listener == null ? null : listener.protocolValue());
    if (source == null) {
      return Optional.empty();
    }
    String text = source.value();
    String name = text.startsWith("http/") ? text.substring("http/".length()) : text;
    if (type.isEmpty() && name.equals("http")) {
      name = "generic_http";
    }
    YamlValue.Scalar named =
        new YamlValue.Scalar(name, source.raw(), name, source.expanded(), source.position());
    return checks.connectorKnown(named) ? Optional.of(name) : Optional.empty();
  }

  private Map<String, CredentialRef> readCredentials(
      Section handler, String handlerName, Set<String> named) {
    Map<String, CredentialRef> out = new LinkedHashMap<>();
    for (Section c : entries(handler, "credentials", false)) {
      c.allowOnly(CREDENTIAL_KEYS);
      Optional<YamlValue.Scalar> name = c.requiredScalar("name");
      name.ifPresent(n -> named.add(n.value()));
      Optional<YamlValue.Scalar> provider = c.requiredScalar("provider");
      Optional<YamlValue.Scalar> id = c.requiredScalar("id");
      if (name.isEmpty() || provider.isEmpty() || id.isEmpty()) {
        continue;
      }
      if (out.containsKey(name.get().value())) {
        diagnostics.error(
            name.get().position(),
            "duplicate credential '" + name.get().shown() + "' in handler " + handlerName);
        continue;
      }
      credentials
          .reference(provider.get(), id.get().value(), c.mapping().position())
          .ifPresent(ref -> out.put(name.get().value(), ref));
    }
    return out;
  }
}
