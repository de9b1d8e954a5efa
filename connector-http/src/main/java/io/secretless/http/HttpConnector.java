package io.secretless.http;

import io.secretless.config.ConfigError;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.Connector;
import io.secretless.connector.ConnectorContext;
import io.secretless.connector.ConnectorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The HTTP family: a forward proxy (clients set {@code HTTP_PROXY}) or a reverse proxy ({@code
 * config.upstream}) that injects credentials into each request. Subclasses only say which headers
 * the connector adds by itself and which credentials it needs.
 */
abstract class HttpConnector implements Connector {

  /** Header templates this connector adds before the user's {@code config.headers}. */
  abstract Map<String, String> defaultHeaders();

  /** Credentials the connector cannot work without. */
  Set<String> requiredCredentials() {
    return Set.of();
  }

  /** Whether requests are re-signed with AWS SigV4 (the {@code aws} connector). */
  boolean signsAws() {
    return false;
  }

  @Override
  public final boolean sharesListener() {
    return true;
  }

  @Override
  public List<ConfigError> validate(ServiceConfig service) {
    List<ConfigError> errors = new ArrayList<>();
    HttpRoute.compile(service, this, errors);
    return List.copyOf(errors);
  }

  @Override
  public BoundConnector open(List<ServiceConfig> services, ConnectorContext context) {
    List<ConfigError> errors = new ArrayList<>();
    List<HttpRoute> routes = new ArrayList<>();
    for (ServiceConfig s : services) {
      // A listener may mix HTTP connectors: compile each service with its own connector's rules.
      HttpConnector own = HttpConnectors.forName(s.connector()).orElse(this);
      HttpRoute.compile(s, own, errors).ifPresent(routes::add);
    }
    if (!errors.isEmpty()) {
      throw new ConnectorException(
          errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
    }
    return HttpBoundConnector.open(routes, context);
  }
}
