package io.secretless.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Checks that concern a whole service or several services, shared by every form. */
final class ServiceChecks {
  /** The default listener of HTTP services without listenOn, where agents are told to connect. */
  static final ListenAddress HTTP_DEFAULT_LISTEN = new ListenAddress.Tcp("127.0.0.1", 8081);

  /** A service with the position of its listenOn, for listener conflicts. */
  record Read(ServiceConfig service, Position listenOnPosition) {}

  private final Diagnostics diagnostics;

  ServiceChecks(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** Whether {@code connector} is known; reports it with the known names when it is not. */
  boolean connectorKnown(YamlValue.Scalar connector) {
    if (ConnectorCatalog.find(connector.value()).isPresent()) {
      return true;
    }
    diagnostics.error(
        connector.position(),
        DidYouMean.unknownName("connector", connector.shown(), ConnectorCatalog.names()));
    return false;
  }

  /**
   * Reports required credentials the service lacks, at {@code where}.
   *
   * @param named every credential name written for the service, including those whose reference had
   *     an error (already reported)
   */
  void requiredCredentials(ServiceConfig service, Set<String> named, Position where) {
    Optional<ConnectorCatalog.Entry> entry = ConnectorCatalog.find(service.connector());
    if (entry.isEmpty()) {
      return;
    }
    List<String> missing = entry.get().missing(named);
    if (!missing.isEmpty()) {
      diagnostics.error(
          where,
          "service "
              + service.name()
              + " is missing credentials required by connector "
              + entry.get().name()
              + ": "
              + String.join(", ", missing));
    }
  }

  /**
   * A forward-proxy HTTP service without URL rules sends its credentials to every host a client
   * names: say so. A reverse proxy ({@code config.upstream}) only ever calls its upstream.
   */
  void warnIfUnrestricted(ServiceConfig service) {
    if (ConnectorCatalog.sharesListener(service.connector())
        && !service.config().has("authenticateURLsMatching")
        && !service.config().has("upstream")) {
      diagnostics.warn(
          service.position(),
          "service "
              + service.name()
              + " has no authenticateURLsMatching: its credentials will be sent to every host the"
              + " client calls; add config.authenticateURLsMatching to restrict it (see"
              + " docs/config.md)");
    }
  }

  /** Two services on one address is an error unless both are HTTP services (they share it). */
  void listeners(List<Read> services) {
    Map<ListenAddress, Read> first = new HashMap<>();
    for (Read read : services) {
      ServiceConfig s = read.service();
      if (s.listenOn() == null
          || (s.listenOn() instanceof ListenAddress.Tcp tcp && tcp.port() == 0)) {
        continue;
      }
      Read earlier = first.putIfAbsent(s.listenOn(), read);
      if (earlier == null) {
        continue;
      }
      ServiceConfig e = earlier.service();
      if (!ConnectorCatalog.sharesListener(s.connector())
          || !ConnectorCatalog.sharesListener(e.connector())) {
        Position at = earlier.listenOnPosition();
        diagnostics.error(
            read.listenOnPosition(),
            "service "
                + s.name()
                + " listens on "
                + s.listenOn()
                + ", already used by service "
                + e.name()
                + " (line "
                + at.line()
                + ":"
                + at.column()
                + "); only HTTP connectors ("
                + String.join(", ", ConnectorCatalog.httpConnectors())
                + ") can share a listener");
      }
    }
  }
}
