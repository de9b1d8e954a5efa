package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretless.config.CredentialRef.FromProvider;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CyberArk version 1 (listeners/handlers) becomes version 2 services. */
class V1ConverterTest {
  private static final Map<String, String> ENV = Map.of("P", "pw");

  @Test
  void unixSocketListenerAndPlainHttpProtocolConvert() {
    String yaml =
        """
        listeners:
          - name: sock
            protocol: pg
            socket: /run/secretless/.s.PGSQL.5432
          - name: web
            protocol: http
            address: 0.0.0.0:8080
        handlers:
          - name: db
            listener: sock
            credentials:
              - {name: host, provider: literal, id: h}
              - {name: username, provider: literal, id: u}
              - {name: password, provider: env, id: P}
          - name: api
            listener: web
            debug: true
            match: ^https://api\\.example
        """;
    BrokerConfig config = ConfigLoader.parse(yaml, "v1.yml", ENV);

    ServiceConfig db = config.services().get(0);
    assertThat(db.listenOn())
        .isEqualTo(new ListenAddress.Unix(Path.of("/run/secretless/.s.PGSQL.5432")));
    assertThat(db.credentials().get("password"))
        .isEqualTo(new FromProvider("env", "P", new Position("v1.yml", 14, 9)));
    ServiceConfig api = config.services().get(1);
    assertThat(api.connector()).isEqualTo("generic_http");
    assertThat(api.listenOn()).isEqualTo(new ListenAddress.Tcp("0.0.0.0", 8080));
    assertThat(api.config().strings("authenticateURLsMatching"))
        .containsExactly("^https://api\\.example");
    assertThat(config.warnings())
        .containsExactly(
            "v1.yml:1:1: version 1 config (listeners/handlers) is deprecated; converted to"
                + " version 2 services (see docs/config.md)");
  }

  @Test
  void handlerMistakesAreReportedWithPositions() {
    String yaml =
        """
        listeners:
          - name: pg_listener
            protocol: pg
            address: 127.0.0.1:5432
            adress: x
        handlers:
          - name: h1
            listener: pg_listenr
          - name: h2
            type: http/basic_oauth
            listener: pg_listener
          - name: h3
            listener: pg_listener
            credentials:
              - name: username
                provider: vault
                id: x
              - name: username
                provder: literal
        """;
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "v1.yml", ENV));

    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "v1.yml:5:5: unknown key 'adress'; did you mean 'address'?",
            "v1.yml:8:15: unknown listener 'pg_listenr'; did you mean 'pg_listener'?",
            "v1.yml:10:11: unknown connector 'basic_oauth'; did you mean 'basic_auth'? (known"
                + " connectors: aws, basic_auth, conjur, generic_http, mssql, mysql, oauth1, pg,"
                + " postgres, postgresql, ssh, ssh-agent)",
            "v1.yml:14:5: service h3 is missing credentials required by connector pg: host or"
                + " address",
            "v1.yml:16:19: unknown credential provider 'vault'; known credential providers: env,"
                + " file, literal, warehouse",
            "v1.yml:18:9: a credential has no 'provider'",
            "v1.yml:18:9: a credential has no 'id'",
            "v1.yml:19:9: unknown key 'provder'; did you mean 'provider'?");
  }

  @Test
  void extraProvidersFromTheCallerAreAccepted() {
    String yaml =
        """
        listeners: [{name: l, protocol: ssh, address: "127.0.0.1:2222"}]
        handlers:
          - name: h
            listener: l
            credentials:
              - {name: address, provider: vault, id: secret/ssh#address}
              - {name: user, provider: literal, id: deploy}
        """;
    BrokerConfig config = ConfigLoader.parse(yaml, "v1.yml", ENV, java.util.Set.of("vault"));

    assertThat(config.services().get(0).credentials().get("address"))
        .isInstanceOfSatisfying(
            FromProvider.class, ref -> assertThat(ref.provider()).isEqualTo("vault"));
  }
}
