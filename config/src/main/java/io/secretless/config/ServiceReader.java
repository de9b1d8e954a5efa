package io.secretless.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads one version 2 service entry (map form or list form) into a {@link ServiceConfig}. */
final class ServiceReader {
  private static final List<String> MAP_KEYS =
      List.of("connector", "listenOn", "credentials", "config", "authentication");
  private static final List<String> LIST_KEYS =
      List.of("name", "connector", "listenOn", "credentials", "config", "authentication");

  private final Diagnostics diagnostics;
  private final CredentialReader credentials;
  private final ConfigBlockReader configs;
  private final OAuth2Reader oauth2;
  private final ServiceChecks checks;

  ServiceReader(Diagnostics diagnostics, CredentialReader credentials, ServiceChecks checks) {
    this.diagnostics = diagnostics;
    this.credentials = credentials;
    this.configs = new ConfigBlockReader(diagnostics);
    this.oauth2 = new OAuth2Reader(diagnostics, credentials);
    this.checks = checks;
  }

  /**
   * @param position where the service is named: its key (map form) or its entry (list form)
   */
  ServiceChecks.Read read(
      String name, Position position, YamlValue.Mapping entry, boolean listForm) {
    Section service = new Section(entry, "service " + name, position, diagnostics);
    service.allowOnly(listForm ? LIST_KEYS : MAP_KEYS);
    String connector =
        service
            .requiredScalar("connector")
            .filter(checks::connectorKnown)
            .map(YamlValue.Scalar::value)
            .orElse("");
    Map<String, CredentialRef> creds = credentials.readAll(service, name);
    Set<String> named = CredentialReader.names(service);
    ConfigBlockReader.Block block = configs.read(service, name, named);
    List<OAuth2Authentication> authentication = oauth2.readAll(service, name);
    if (!authentication.isEmpty()
        && !connector.isEmpty()
        && !ConnectorCatalog.sharesListener(connector)) {
      diagnostics.error(
          service.keyPosition("authentication"),
          "authentication is for HTTP connectors; service " + name + " uses " + connector);
    }
    ListenAddress listenOn = listenOn(service, name, connector).orElse(null);
    ServiceConfig config =
        new ServiceConfig(
            name,
            connector,
            listenOn,
            Collections.unmodifiableMap(creds),
            block.tree(),
            block.validations(),
            authentication,
            position);
    if (!connector.isEmpty()) {
      checks.requiredCredentials(config, named, service.keyPosition("credentials"));
      checks.warnIfUnrestricted(config);
    }
    Position listenPosition = service.value("listenOn").map(YamlValue::position).orElse(position);
    return new ServiceChecks.Read(config, listenPosition);
  }

  private Optional<ListenAddress> listenOn(Section service, String name, String connector) {
    Optional<YamlValue.Scalar> text = service.scalar("listenOn");
    if (text.isEmpty()) {
      if (service.value("listenOn").isPresent()) {
        return Optional.empty(); // wrong type, reported
      }
      if (ConnectorCatalog.sharesListener(connector)) {
        return Optional.of(ServiceChecks.HTTP_DEFAULT_LISTEN);
      }
      if (!connector.isEmpty()) {
        diagnostics.error(
            service.ownerPosition(),
            "service "
                + name
                + " has no 'listenOn'; add one such as tcp://127.0.0.1:5432 or"
                + " unix:///run/secretless/"
                + name
                + ".sock");
      }
      return Optional.empty();
    }
    try {
      return Optional.of(ListenAddress.parse(text.get().value()));
    } catch (IllegalArgumentException e) {
      diagnostics.error(text.get().position(), text.get().redact(e.getMessage()));
      return Optional.empty();
    }
  }
}
