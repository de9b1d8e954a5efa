package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.config.ConfigError;
import io.secretless.config.ConfigTree;
import io.secretless.config.ListenAddress;
import io.secretless.config.Position;
import io.secretless.connector.Connector;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class PgConnectorTest {
  private static final Position AT = new Position("s.yml", 3, 5);

  @Test
  void isRegisteredForServiceLoaderAsPgWithPostgresAliases() {
    var found =
        ServiceLoader.load(Connector.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(c -> c.name().equals("pg"))
            .findFirst();
    assertThat(found).get().isInstanceOf(PgConnector.class);
    assertThat(found.get().aliases()).contains("postgres", "postgresql");
    assertThat(found.get().sharesListener()).isFalse();
  }

  @Test
  void validConfigHasNoErrors() {
    var service =
        PgServers.service(
            "pg",
            new ListenAddress.Tcp("127.0.0.1", 5432),
            Map.of("host", "db", "username", "u", "password", "p", "sslmode", "verify-full"));
    assertThat(new PgConnector().validate(service)).isEmpty();
  }

  @Test
  void reportsUnknownKeysMissingCredentialsAndBadSslmodeWithPositions() {
    ConfigTree tls = new ConfigTree(Map.of("cert", "c", "pem", "x"), Map.of("pem", AT), AT);
    ConfigTree config =
        new ConfigTree(
            Map.of("tls", tls, "tsl", "oops"), Map.of("tsl", new Position("s.yml", 9, 3)), AT);
    var service =
        PgServers.service(
            "pg", new ListenAddress.Tcp("127.0.0.1", 5432), Map.of("sslmode", "prefer"), config);
    assertThat(new PgConnector().validate(service))
        .extracting(ConfigError::message)
        .containsExactlyInAnyOrder(
            "unknown pg config key 'tsl' (known: tls, pool)",
            "unknown pg tls key 'pem' (known: cert, key)",
            "tls needs 'key'",
            "pg needs credential 'host' or 'address'",
            "pg needs credential 'username'",
            "sslmode 'prefer' is not one of disable, require, verify-ca, verify-full");
    assertThat(new PgConnector().validate(service))
        .filteredOn(e -> e.message().contains("tsl"))
        .extracting(e -> e.position().line())
        .containsExactly(9);
  }
}
