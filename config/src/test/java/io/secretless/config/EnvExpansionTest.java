package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretless.config.CredentialRef.Literal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ${VAR} expansion from the env map passed in; $$ is a literal $; values never in messages. */
class EnvExpansionTest {
  private static final String CANARY = "canary-Secret-9f3b";

  private static final String TEMPLATE =
      """
      version: "2"
      services:
        db:
          connector: pg
          listenOn: %s
          credentials:
            host: h
            username: "%s"
            password: %s
      """;

  private static BrokerConfig parse(String listenOn, String username, String password) {
    return ConfigLoader.parse(
        TEMPLATE.formatted(listenOn, username, password),
        "env.yml",
        Map.of("PORT", "6543", "DB_PASS", CANARY, "USER_PREFIX", "app"));
  }

  private static String literal(ServiceConfig service, String name) {
    return ((Literal) service.credentials().get(name)).value().revealString();
  }

  @Test
  void variablesAreExpandedInEveryScalar() {
    ServiceConfig db =
        parse("tcp://127.0.0.1:${PORT}", "${USER_PREFIX}_user", "${DB_PASS}").services().get(0);

    assertThat(db.listenOn()).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 6543));
    assertThat(literal(db, "username")).isEqualTo("app_user");
    assertThat(literal(db, "password")).isEqualTo(CANARY);
  }

  @Test
  void doubleDollarIsALiteralDollarAndALoneDollarIsKept() {
    ServiceConfig db = parse("tcp://127.0.0.1:1", "a$$b$", "'$${DB_PASS}'").services().get(0);

    assertThat(literal(db, "username")).isEqualTo("a$b$");
    assertThat(literal(db, "password")).isEqualTo("${DB_PASS}");
  }

  @Test
  void anUnsetVariableIsAnErrorAtItsScalarAndNothingElseIsReportedThere() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> parse("tcp://127.0.0.1:${NO_PORT}", "${NO_USER}", "${DB_PASS}"));

    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "env.yml:5:15: environment variable NO_PORT is not set",
            "env.yml:8:17: environment variable NO_USER is not set");
  }

  @Test
  void malformedReferencesAreErrors() {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> parse("tcp://h:1", "${1X}", "'${OPEN'"));

    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .containsExactly(
            "env.yml:8:17: '${1X}' is not a valid environment variable reference (write $$ for a"
                + " literal $)",
            "env.yml:9:17: unterminated '${' (write $$ for a literal $)");
  }

  @Test
  void expandedAndLiteralValuesNeverAppearInMessages() {
    String yaml =
        """
        version: "2"
        services:
          web:
            connector: generic_http
            listenOn: "tcp://127.0.0.1:${DB_PASS}"
            credentials:
              token: literal-canary-77
              other: {from: "${DB_PASS}", get: x}
            config:
              connectTimeout: "${DB_PASS}"
              maxConnections: "${DB_PASS}"
              authenticateURLsMatching: "([${DB_PASS}"
            authentication:
              - type: oauth2
                config:
                  token_url: "${DB_PASS}"
                  client_id: x
                  client_secret: literal-canary-77
        """;
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> ConfigLoader.parse(yaml, "leak.yml", Map.of("DB_PASS", CANARY)));

    assertThat(e.errors()).hasSize(6);
    assertThat(e.getMessage())
        .doesNotContain(CANARY)
        .doesNotContain("literal-canary-77")
        .contains("${DB_PASS}");
  }

  @Test
  void keysAreNotExpanded() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigLoader.parse(
                    "version: \"2\"\n${X}: 1\nservices: {}\n", "k.yml", Map.of("X", "services")));

    assertThat(e.errors())
        .extracting(ConfigError::toString)
        .contains("k.yml:2:1: unknown key '${X}'; expected one of: version, services");
  }
}
