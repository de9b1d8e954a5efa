package io.secretless.connector;

import io.secretless.config.ConfigError;
import io.secretless.config.ServiceConfig;
import java.util.List;
import java.util.Set;

/**
 * A protocol the broker speaks: found with {@link java.util.ServiceLoader} by the {@link #name()}
 * used as {@code connector:} in secretless.yml.
 *
 * <p>Life cycle: the broker calls {@link #validate} for {@code config check} and before start, then
 * {@link #open} once per listener, then {@link BoundConnector#accept} for every accepted client
 * connection. The contract of a connection: perform the client handshake and the backend
 * authentication with the resolved credentials, then hand the authenticated backend channel to
 * {@link ConnectorSession#relay}, after which the broker copies bytes both ways untouched.
 */
public interface Connector {
  /** The {@code connector:} value, e.g. {@code pg}. */
  String name();

  /** Other names that select this connector (e.g. {@code postgres}). */
  default Set<String> aliases() {
    return Set.of();
  }

  /**
   * Whether several services may share one listener address (HTTP forward proxy: the first service
   * whose URL rule matches wins). Stream protocols return false. When services of several such
   * connectors share an address, the first service's connector receives all of them in {@link
   * #open} and must serve each by its own {@code connector} name.
   */
  default boolean sharesListener() {
    return false;
  }

  /** Connector-specific checks of {@code config:} and credentials, with positions. */
  default List<ConfigError> validate(ServiceConfig service) {
    return List.of();
  }

  /**
   * Prepares to serve the services bound to one listener (one service unless {@link
   * #sharesListener()}). May build TLS contexts or token sources; bad config is a {@link
   * ConnectorException} with a message naming the service.
   */
  BoundConnector open(List<ServiceConfig> services, ConnectorContext context);
}
