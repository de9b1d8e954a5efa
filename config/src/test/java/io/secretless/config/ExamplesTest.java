package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.config.CredentialRef.FromProvider;
import io.secretless.config.CredentialRef.Literal;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference inputs in /work/shared/examples (copied to test resources) load unchanged. */
class ExamplesTest {
  static final Map<String, String> ENV =
      Map.of(
          "ORDERS_DB_PASSWORD", "orders-canary-pw",
          "WEATHER_API_KEY", "weatherKey123",
          "WEATHER_PASSWORD", "weather-canary-pw",
          "ACI_TOKEN_URL", "https://auth.example.com/oauth2/token",
          "ACI_CLIENT_ID", "agents",
          "ACI_CLIENT_SECRET", "aci-canary-secret");

  static Path example(String name) {
    try {
      return Path.of(ExamplesTest.class.getResource("/examples/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void v2ServicesMapLoadsEveryServiceWithItsCredentialsAndListener() {
    BrokerConfig config = ConfigLoader.load(example("v2-services.yml"), ENV);

    assertThat(config.services())
        .extracting(ServiceConfig::name)
        .containsExactly("orders-db", "orders-db-socket", "weather-api", "registry", "build-host");
    assertThat(config.warnings()).isEmpty();
    ServiceConfig db = config.services().get(0);
    assertThat(db.connector()).isEqualTo("pg");
    assertThat(db.listenOn()).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 5432));
    assertThat(db.credentials().keySet())
        .containsExactly("host", "port", "username", "password", "sslmode", "sslrootcert");
    assertThat(((Literal) db.credentials().get("port")).value().revealString()).isEqualTo("5432");
    assertThat(db.credentials().get("password"))
        .isEqualTo(
            new FromProvider(
                "env",
                "ORDERS_DB_PASSWORD",
                new Position(example("v2-services.yml").toString(), 11, 9)));
    assertThat(config.services().get(1).listenOn())
        .isEqualTo(new ListenAddress.Unix(Path.of("/var/run/secretless/.s.PGSQL.5432")));
  }

  @Test
  void v2CredentialValidationsAreCompiledAndRemovedFromConnectorConfig() {
    ServiceConfig weather = ConfigLoader.load(example("v2-services.yml"), ENV).services().get(2);

    assertThat(weather.credentialValidations()).containsOnlyKeys("apikey");
    assertThat(weather.credentialValidations().get("apikey").pattern()).isEqualTo("^[A-Za-z0-9]+$");
    assertThat(weather.config().keys())
        .containsExactly("headers", "queryParams", "forceSSL", "authenticateURLsMatching");
    assertThat(weather.config().bool("forceSSL", false)).isTrue();
    assertThat(weather.config().strings("authenticateURLsMatching"))
        .containsExactly("^http://api\\.weather\\.example");
    assertThat(weather.config().stringMap("headers")).containsEntry("X-Api-Key", "{{ .apikey }}");
  }

  @Test
  void listFormWithOAuth2GetsTheDefaultListenerAndAWarning() {
    Path file = example("agents-oauth2.yml");
    BrokerConfig config = ConfigLoader.load(file, ENV);

    ServiceConfig agents = config.services().get(0);
    assertThat(agents.name()).isEqualTo("elizaos-agents");
    assertThat(agents.listenOn()).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 8081));
    OAuth2Authentication oauth2 = agents.authentication().get(0);
    assertThat(oauth2.tokenUrl()).isEqualTo("https://auth.example.com/oauth2/token");
    assertThat(oauth2.clientId()).isEqualTo("agents");
    assertThat(((Literal) oauth2.clientSecret()).value().revealString())
        .isEqualTo("aci-canary-secret");
    assertThat(oauth2.scope()).contains("agent:execute blockchain:read");
    assertThat(oauth2.clientAuth()).isEqualTo("client_secret_basic");
    assertThat(oauth2.config().has("client_secret")).isFalse();
    assertThat(config.warnings())
        .containsExactly(
            file
                + ":3:5: service elizaos-agents has no authenticateURLsMatching: its credentials"
                + " will be sent to every host the client calls; add"
                + " config.authenticateURLsMatching to restrict it (see docs/config.md)");
  }

  @Test
  void v1ListenersAndHandlersConvertToServicesWithADeprecationWarning() {
    Path file = example("v1-listeners-handlers.yml");
    BrokerConfig config = ConfigLoader.load(file, ENV);

    assertThat(config.warnings())
        .containsExactly(
            file
                + ":1:1: version 1 config (listeners/handlers) is deprecated; converted to"
                + " version 2 services (see docs/config.md)");
    ServiceConfig pg = config.services().get(0);
    assertThat(pg.name()).isEqualTo("pg_handler");
    assertThat(pg.connector()).isEqualTo("pg");
    assertThat(pg.listenOn()).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 5432));
    assertThat(pg.credentials().keySet()).containsExactly("address", "username", "password");
    assertThat(((Literal) pg.credentials().get("username")).value().revealString())
        .isEqualTo("orders_app");
    assertThat(pg.credentials().get("password"))
        .isInstanceOfSatisfying(
            FromProvider.class,
            ref -> assertThat(ref.provider() + ":" + ref.id()).isEqualTo("env:ORDERS_DB_PASSWORD"));
    ServiceConfig weather = config.services().get(1);
    assertThat(weather.name()).isEqualTo("weather_handler");
    assertThat(weather.connector()).isEqualTo("basic_auth");
    assertThat(weather.listenOn()).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 8080));
    assertThat(weather.config().strings("authenticateURLsMatching"))
        .containsExactly("^http://api\\.weather\\.example");
    assertThat(weather.config().position("authenticateURLsMatching"))
        .isEqualTo(new Position(file.toString(), 25, 5));
  }

  @Test
  void printingALoadedConfigShowsNoCredentialValue() {
    for (String name :
        new String[] {"v2-services.yml", "agents-oauth2.yml", "v1-listeners-handlers.yml"}) {
      String printed = ConfigLoader.load(example(name), ENV).toString();

      assertThat(printed)
          .contains("Secret[redacted]")
          .doesNotContain("aci-canary-secret")
          .doesNotContain("ci-bot")
          .doesNotContain("orders_app");
    }
  }
}
