package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretless.config.ConfigError;
import io.secretless.connector.ConnectorContext;
import io.secretless.connector.ConnectorException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpConnectorValidateTest {
  @Test
  void templateReferencingUnknownCredentialIsAnErrorAtItsLine() {
    var s =
        service(
            "weather",
            "generic_http",
            Map.of("apikey", "x"),
            Map.of("headers", Map.of("X-Api-Key", "{{ .api_key }}")));
    List<ConfigError> errors = new GenericHttpConnector().validate(s);
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).toString())
        .startsWith("test.yml:10:7: service weather: headers.X-Api-Key uses '.api_key'")
        .contains("known: apikey");
  }

  @Test
  void accessTokenIsKnownOnlyWithAnOAuth2Block() {
    var withoutAuth =
        service(
            "agents",
            "generic_http",
            Map.of(),
            Map.of("headers", Map.of("Authorization", "Bearer {{ .access_token }}")));
    assertThat(new GenericHttpConnector().validate(withoutAuth))
        .singleElement()
        .asString()
        .contains("authentication: oauth2");
    var withAuth =
        service(
            "agents",
            "generic_http",
            Map.of(),
            Map.of("headers", Map.of("Authorization", "Bearer {{ .access_token }}")),
            List.of(TestServices.oauth2("http://127.0.0.1:1/token", "id", "s")));
    assertThat(new GenericHttpConnector().validate(withAuth)).isEmpty();
  }

  @Test
  void templateSyntaxErrorIsReportedWithPosition() {
    var s =
        service(
            "api",
            "generic_http",
            Map.of("apikey", "x"),
            Map.of("queryParams", Map.of("key", "{{ .apikey ")));
    assertThat(new GenericHttpConnector().validate(s))
        .singleElement()
        .asString()
        .startsWith("test.yml:10:7: service api: queryParams.key: unclosed action");
  }

  @Test
  void unknownConfigKeyAndBadRegexAreErrors() {
    var s =
        service(
            "api",
            "generic_http",
            Map.of(),
            Map.of("forceSsl", true, "authenticateURLsMatching", "^http://(api"));
    assertThat(new GenericHttpConnector().validate(s))
        .hasSize(2)
        .anySatisfy(e -> assertThat(e.message()).contains("unknown key 'forceSsl'"))
        .anySatisfy(e -> assertThat(e.message()).contains("not a valid regular expression"));
  }

  @Test
  void basicAuthNeedsUsernameAndPassword() {
    var s = service("registry", "basic_auth", Map.of("username", "u"), Map.of());
    assertThat(new BasicAuthConnector().validate(s))
        .singleElement()
        .asString()
        .contains("needs the credential 'password'");
  }

  @Test
  void upstreamMustBeAnHttpUrl() {
    var s = service("api", "generic_http", Map.of(), Map.of("upstream", "ftp://x"));
    assertThat(new GenericHttpConnector().validate(s))
        .singleElement()
        .asString()
        .contains("upstream 'ftp://x'");
  }

  @Test
  void responseTimeoutMustBeAPositiveDurationAndIsReportedAtItsLine() {
    var notADuration = service("api", "generic_http", Map.of(), Map.of("responseTimeout", "soon"));
    assertThat(new GenericHttpConnector().validate(notADuration))
        .singleElement()
        .asString()
        .startsWith("test.yml:10:7: service api: ")
        .contains("'responseTimeout' must be")
        .contains("'soon'");
    var zero = service("api", "generic_http", Map.of(), Map.of("responseTimeout", "0s"));
    assertThat(new GenericHttpConnector().validate(zero))
        .singleElement()
        .asString()
        .startsWith("test.yml:10:7: service api: responseTimeout must be longer than zero");
    var ok = service("api", "generic_http", Map.of(), Map.of("responseTimeout", "1m30s"));
    assertThat(new GenericHttpConnector().validate(ok)).isEmpty();
  }

  @Test
  void openRefusesAnInvalidServiceWithTheSameMessages() {
    var s =
        service(
            "weather",
            "generic_http",
            Map.of(),
            Map.of("headers", Map.of("X-Api-Key", "{{ .apikey }}")));
    assertThatThrownBy(
            () ->
                new GenericHttpConnector()
                    .open(
                        List.of(s), new ConnectorContext(new SimpleMeterRegistry(), Runnable::run)))
        .isInstanceOf(ConnectorException.class)
        .hasMessageContaining("test.yml:10:7");
  }

  @Test
  void httpConnectorsShareListenersAndAreRegistered() {
    var names =
        java.util.ServiceLoader.load(io.secretless.connector.Connector.class).stream()
            .map(p -> p.get())
            .filter(io.secretless.connector.Connector::sharesListener)
            .map(io.secretless.connector.Connector::name)
            .toList();
    assertThat(names).contains("generic_http", "basic_auth", "conjur");
  }
}
