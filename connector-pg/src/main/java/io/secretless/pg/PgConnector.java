package io.secretless.pg;

import io.secretless.config.ConfigError;
import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.Connector;
import io.secretless.connector.ConnectorContext;
import io.secretless.connector.ConnectorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The PostgreSQL connector ({@code connector: pg}): speaks protocol 3.0 to the application, logs in
 * to the backend with the service's credentials, then hands the connection to the byte relay.
 *
 * <p>{@code config:} takes {@code tls: {cert, key}} (PEM contents or file paths) to offer TLS to
 * clients. Credentials: host, port or address, username, password, sslmode, sslrootcert, sslcert,
 * sslkey, sslhost; any other credential is sent as a startup parameter (e.g. {@code database}).
 */
public final class PgConnector implements Connector {
  private static final Set<String> CONFIG_KEYS = Set.of("tls", "pool");

  /** Keys the broker core reads from {@code config:} (see docs/config.md). */
  private static final Set<String> TLS_KEYS = Set.of("cert", "key");

  @Override
  public String name() {
    return "pg";
  }

  @Override
  public Set<String> aliases() {
    return Set.of("postgres", "postgresql");
  }

  @Override
  public List<ConfigError> validate(ServiceConfig service) {
    List<ConfigError> errors = new ArrayList<>();
    ConfigTree config = service.config();
    for (String key : config.keys()) {
      if (!CONFIG_KEYS.contains(key) && !ServiceConfig.BROKER_CONFIG_KEYS.contains(key)) {
        errors.add(
            new ConfigError(
                config.position(key), "unknown pg config key '" + key + "' (known: tls, pool)"));
      }
    }
    try {
      config
          .tree("tls")
          .ifPresent(
              tls -> {
                for (String key : tls.keys()) {
                  if (!TLS_KEYS.contains(key)) {
                    errors.add(
                        new ConfigError(
                            tls.position(key),
                            "unknown pg tls key '" + key + "' (known: cert, key)"));
                  }
                }
                for (String key : TLS_KEYS) {
                  if (!tls.has(key)) {
                    errors.add(new ConfigError(tls.position(), "tls needs '" + key + "'"));
                  }
                }
              });
    } catch (ConfigException e) {
      errors.addAll(e.errors());
    }
    errors.addAll(PoolSettings.validate(config));
    if (!service.credentials().containsKey("host")
        && !service.credentials().containsKey("address")) {
      errors.add(new ConfigError(service.position(), "pg needs credential 'host' or 'address'"));
    }
    if (!service.credentials().containsKey("username")) {
      errors.add(new ConfigError(service.position(), "pg needs credential 'username'"));
    }
    if (service.credentials().get("sslmode") instanceof CredentialRef.Literal literal) {
      String mode = literal.value().revealString();
      if (SslMode.parse(mode).isEmpty()) {
        errors.add(
            new ConfigError(
                literal.position(),
                "sslmode '" + mode + "' is not one of disable, require, verify-ca, verify-full"));
      }
    }
    return errors;
  }

  @Override
  public BoundConnector open(List<ServiceConfig> services, ConnectorContext context) {
    if (services.size() != 1) {
      throw new ConnectorException(
          "pg serves one service per listener, got " + services.size() + " on one address");
    }
    ServiceConfig service = services.get(0);
    PoolSettings pool;
    try {
      pool = PoolSettings.from(service.config());
    } catch (ConfigException e) {
      throw new ConnectorException("service " + service.name() + ": " + e.getMessage(), e);
    }
    return new BoundPgConnector(
        service,
        ClientTls.from(service),
        context.blocking(),
        pool.enabled()
            ? Optional.of(new BackendPool(service.name(), pool, context.meters()))
            : Optional.empty());
  }
}
