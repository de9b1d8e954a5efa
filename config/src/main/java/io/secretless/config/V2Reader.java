package io.secretless.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Version 2: {@code services:} as a map of name to service (CyberArk) or as a list of entries with
 * {@code name:} (the list form, which may carry {@code authentication:}).
 */
final class V2Reader {
  static final List<String> TOP_LEVEL_KEYS = List.of("version", "services");

  private final Diagnostics diagnostics;
  private final ServiceReader services;

  V2Reader(Diagnostics diagnostics, ServiceReader services) {
    this.diagnostics = diagnostics;
    this.services = services;
  }

  List<ServiceChecks.Read> read(Section root) {
    root.allowOnly(TOP_LEVEL_KEYS);
    Optional<YamlValue> value = root.value("services");
    List<ServiceChecks.Read> out = new ArrayList<>();
    switch (value.orElse(null)) {
      case null -> noServices(root.keyPosition("services"));
      case YamlValue.Mapping map -> readMap(map, out);
      case YamlValue.Sequence list -> readList(list, out);
      case YamlValue.Scalar s ->
          diagnostics.error(
              s.position(),
              "'services' must be a mapping of name: service, or a list of services with name:");
    }
    return out;
  }

  private void noServices(Position at) {
    diagnostics.error(at, "no services: add at least one under services:");
  }

  private void readMap(YamlValue.Mapping map, List<ServiceChecks.Read> out) {
    if (map.entries().isEmpty()) {
      noServices(map.position());
    }
    for (YamlValue.Entry entry : map.entries()) {
      if (entry.value() instanceof YamlValue.Mapping service) {
        out.add(services.read(entry.key(), entry.keyPosition(), service, false));
      } else {
        diagnostics.error(
            entry.keyPosition(),
            "service "
                + entry.key()
                + " must be a mapping with connector:, listenOn:, credentials:, not "
                + (entry.value() instanceof YamlValue.Scalar s && s.isNull()
                    ? "empty"
                    : entry.value().kind()));
      }
    }
  }

  private void readList(YamlValue.Sequence list, List<ServiceChecks.Read> out) {
    if (list.items().isEmpty()) {
      noServices(list.position());
    }
    Map<String, Position> names = new HashMap<>();
    for (YamlValue item : list.items()) {
      if (!(item instanceof YamlValue.Mapping service)) {
        diagnostics.error(
            item.position(),
            "a service must be a mapping with name:, connector:, not " + item.kind());
        continue;
      }
      Section section = new Section(service, "a service", service.position(), diagnostics);
      Optional<YamlValue.Scalar> name = section.requiredScalar("name");
      if (name.isEmpty()) {
        continue;
      }
      Position earlier = names.putIfAbsent(name.get().value(), name.get().position());
      if (earlier != null) {
        diagnostics.error(
            name.get().position(),
            "duplicate service name '"
                + name.get().shown()
                + "' (first at line "
                + earlier.line()
                + ":"
                + earlier.column()
                + ")");
        continue;
      }
      out.add(services.read(name.get().value(), service.position(), service, true));
    }
  }
}
