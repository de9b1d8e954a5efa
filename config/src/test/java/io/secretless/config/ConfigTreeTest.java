package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The typed getters connectors and the broker use on a service's config. */
class ConfigTreeTest {
  private static ConfigTree config(String body) {
    String yaml =
        "version: \"2\"\nservices:\n  s:\n    connector: generic_http\n"
            + "    listenOn: tcp://127.0.0.1:1\n    config:\n"
            + body.indent(6);
    return ConfigLoader.parse(yaml, "t.yml", Map.of()).services().get(0).config();
  }

  @Test
  void durationsParseMillisecondsSecondsMinutesAndCombinations() {
    ConfigTree tree =
        config(
            "connectTimeout: 500ms\nidleTimeout: 2m\nhandshakeTimeout: 1h30m\n"
                + "authenticateURLsMatching: x\nother: 10s");

    assertThat(tree.duration("connectTimeout")).contains(Duration.ofMillis(500));
    assertThat(tree.duration("idleTimeout")).contains(Duration.ofMinutes(2));
    assertThat(tree.duration("handshakeTimeout")).contains(Duration.ofMinutes(90));
    assertThat(tree.duration("other")).contains(Duration.ofSeconds(10));
    assertThat(tree.duration("absent")).isEmpty();
  }

  @Test
  void aBadDurationInConnectorConfigThrowsAtItsKey() {
    ConfigTree tree = config("authenticateURLsMatching: x\nretryAfter: soon");

    assertThatThrownBy(() -> tree.duration("retryAfter"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "t.yml:8:7: 'retryAfter' must be a duration such as 500ms, 10s, 2m or 1h30m, got"
                + " 'soon'");
  }

  @Test
  void numbersKeepTheirYamlTypeAndTextIsParsed() {
    ConfigTree tree =
        config("authenticateURLsMatching: x\nmaxConnections: 64\nquoted: '12'\nword: many");

    assertThat(tree.number("maxConnections")).contains(64L);
    assertThat(tree.value("maxConnections")).contains(64L);
    assertThat(tree.number("quoted")).contains(12L);
    assertThatThrownBy(() -> tree.number("word")).hasMessageContaining("t.yml:10:7:");
  }

  @Test
  void brokerLevelKeysStayVisibleButCredentialValidationsIsRemoved() {
    String yaml =
        """
        version: "2"
        services:
          s:
            connector: basic_auth
            listenOn: tcp://127.0.0.1:1
            credentials: {username: u, password: p}
            config:
              credentialValidations: {username: '[a-z]+'}
              authenticateURLsMatching: [a, b]
              connectTimeout: 3s
        """;
    ServiceConfig s = ConfigLoader.parse(yaml, "t.yml", Map.of()).services().get(0);

    assertThat(s.config().keys()).containsExactly("authenticateURLsMatching", "connectTimeout");
    assertThat(s.config().strings("authenticateURLsMatching")).containsExactly("a", "b");
    assertThat(s.credentialValidations().get("username").matcher("abc").matches()).isTrue();
  }
}
