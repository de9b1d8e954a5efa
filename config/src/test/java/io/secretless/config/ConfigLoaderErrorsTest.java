package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every mistake in a file is reported, each at its exact FILE:LINE:COL. */
class ConfigLoaderErrorsTest {
  private static final Map<String, String> ENV =
      Map.of("ORDERS_DB_PASSWORD", "pw", "SECRETVAL", "s3cr3t-canary");

  static String resource(String name) {
    try (InputStream in = ConfigLoaderErrorsTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> errors(String yaml) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> ConfigLoader.parse(yaml, "broken.yml", ENV));
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e.errors().stream().map(ConfigError::toString).toList();
  }

  @Test
  void everyMistakeInAServicesMapIsReportedAtItsPosition() {
    assertThat(errors(resource("broken/several-mistakes.yml")))
        .containsExactly(
            "broken.yml:4:16: unknown connector 'pgg'; did you mean 'pg'? (known connectors: aws,"
                + " basic_auth, conjur, generic_http, mssql, mysql, oauth1, pg, postgres,"
                + " postgresql, ssh, ssh-agent)",
            "broken.yml:8:25: unknown credential provider 'evn'; did you mean 'env'? (known"
                + " credential providers: env, file, literal, warehouse)",
            "broken.yml:10:7: unknown key 'credentialPatterns'; did you mean"
                + " 'credentialValidations'?",
            "broken.yml:12:23: 'connectTimeout' must be a duration such as 500ms, 10s, 2m or"
                + " 1h30m, got '10 seconds'",
            "broken.yml:15:15: service reports-db listens on tcp://127.0.0.1:5432, already used by"
                + " service orders-db (line 5:15); only HTTP connectors (aws, basic_auth, conjur,"
                + " generic_http, oauth1) can share a listener",
            "broken.yml:19:14: environment variable UNSET_TOKEN is not set",
            "broken.yml:22:9: credentialValidations names 'usrname', which is not a credential of"
                + " service reports-db; did you mean 'username'?",
            "broken.yml:23:19: credentialValidations 'username' is not a valid regular expression:"
                + " Unclosed character class at index 3",
            "broken.yml:24:23: 'maxConnections' must be a positive whole number, got '-3'",
            "broken.yml:27:15: listenOn port 99999 is out of range 0-65535",
            "broken.yml:28:5: unknown key 'credentails'; did you mean 'credentials'?");
  }

  @Test
  void everyMistakeInTheListFormIsReportedAtItsPosition() {
    assertThat(errors(resource("broken/list-form-mistakes.yml")))
        .containsExactly(
            "broken.yml:6:15: unknown authentication type 'oauth3'; did you mean 'oauth2'?",
            "broken.yml:11:9: oauth2 config of service b has no 'client_secret'",
            "broken.yml:12:22: environment variable ACI_TOKEN_URL is not set",
            "broken.yml:14:11: unknown key 'clientSecret'; did you mean 'client_secret'?",
            "broken.yml:15:24: unknown client_auth 'client_secret_jwt'; did you mean"
                + " 'client_secret_post'?",
            "broken.yml:16:11: duplicate service name 'a' (first at line 3:11)",
            "broken.yml:20:15: 'listenOn' must be a single value, not a list",
            "broken.yml:22:17: credential 'username' of service c must be a value or {from:"
                + " PROVIDER, get: ID}, not a list",
            "broken.yml:23:7: credential 'password' of service c has no 'get'",
            "broken.yml:24:13: 'config' must be a mapping of key: value, not a value",
            "broken.yml:30:22: token_url must be an http(s) URL such as"
                + " https://auth.example.com/oauth2/token, got 'ftp://x/${SECRETVAL}'");
  }

  @Test
  void everyDocumentedOAuth2KeyIsAcceptedAndTheirValuesReachTheBlock() {
    String yaml =
        """
        version: "2"
        services:
          - name: agents
            connector: generic_http
            listenOn: tcp://127.0.0.1:0
            authentication:
              - type: oauth2
                config:
                  token_url: https://auth.example.com/token
                  client_id: agents
                  client_secret: s
                  scope: read
                  client_auth: client_secret_post
                  audience: https://api.example.com
                  ca_bundle: /etc/ssl/private-ca.pem
                  expiry_skew_seconds: 10
                  default_lifetime_seconds: 120
                  timeout_seconds: 5
                  max_attempts: 4
                  retry_backoff_millis: 100
            config:
              headers:
                Authorization: "Bearer {{ .access_token }}"
        """;
    ConfigTree block =
        ConfigLoader.parse(yaml, "ok.yml", ENV).services().get(0).authentication().get(0).config();
    assertThat(block.string("audience")).hasValue("https://api.example.com");
    assertThat(block.string("ca_bundle")).hasValue("/etc/ssl/private-ca.pem");
    assertThat(block.string("max_attempts")).hasValue("4");
  }

  @Test
  void onlyAForwardProxyWithoutUrlRulesIsWarnedAbout() {
    String yaml =
        """
        version: "2"
        services:
          - name: forward
            connector: generic_http
            listenOn: tcp://127.0.0.1:0
            credentials: {token: t}
            config:
              headers: {Authorization: "Bearer {{ .token }}"}
          - name: reverse
            connector: generic_http
            listenOn: tcp://127.0.0.1:0
            credentials: {token: t}
            config:
              upstream: https://api.example.com
              headers: {Authorization: "Bearer {{ .token }}"}
        """;
    assertThat(ConfigLoader.parse(yaml, "w.yml", ENV).warnings())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("w.yml:3:5: service forward has no authenticateURLsMatching");
  }

  @Test
  void missingVersionSaysWhichVersionsExistAndMissingCredentialsAreNamed() {
    String yaml =
        """
        services:
          db:
            connector: postgres
            listenOn: tcp://127.0.0.1:5432
            credentials:
              host: x
        """;
    assertThat(errors(yaml))
        .containsExactly(
            "broken.yml:1:1: missing 'version'; supported versions: \"2\" (services:) and \"1\""
                + " (listeners: and handlers:, deprecated; the version key may be left out)",
            "broken.yml:5:5: service db is missing credentials required by connector pg:"
                + " username");
  }

  @Test
  void unsupportedVersionAndEmptyServicesAreErrors() {
    assertThat(errors("version: \"3\"\nservices:\n  a: {connector: pg}\n"))
        .singleElement()
        .asString()
        .startsWith("broken.yml:1:10: unsupported version '3'; supported versions: \"2\"");
    assertThat(errors("version: 2\nservices: []\n"))
        .containsExactly("broken.yml:2:11: no services: add at least one under services:");
    assertThat(errors("version: \"2\"\n"))
        .containsExactly("broken.yml:1:1: no services: add at least one under services:");
  }

  @Test
  void aServiceWithoutListenOnIsAnErrorUnlessItIsHttp() {
    assertThat(
            errors(
                "version: \"2\"\nservices:\n  ssh1:\n    connector: ssh\n"
                    + "    credentials: {address: 'h:22', user: u}\n"))
        .containsExactly(
            "broken.yml:3:3: service ssh1 has no 'listenOn'; add one such as"
                + " tcp://127.0.0.1:5432 or unix:///run/secretless/ssh1.sock");
  }

  @Test
  void twoHttpServicesShareAListenerButAStreamServiceMayNot() {
    String yaml =
        """
        version: "2"
        services:
          a: {connector: generic_http, listenOn: "tcp://127.0.0.1:8080",
              config: {authenticateURLsMatching: "^https://a"}}
          b: {connector: aws, listenOn: "tcp://127.0.0.1:8080",
              credentials: {accessKeyId: k, secretAccessKey: s},
              config: {authenticateURLsMatching: "^https://b"}}
        """;
    assertThat(ConfigLoader.parse(yaml, "ok.yml", ENV).services()).hasSize(2);
    String clash =
        yaml
            + "  c: {connector: mysql, listenOn: \"tcp://127.0.0.1:8080\","
            + " credentials: {host: h, username: u}}\n";
    assertThat(errors(clash))
        .containsExactly(
            "broken.yml:8:35: service c listens on tcp://127.0.0.1:8080, already used by service"
                + " a (line 3:42); only HTTP connectors (aws, basic_auth, conjur, generic_http,"
                + " oauth1) can share a listener");
  }

  @Test
  void wrongTypesAndDuplicateKeysAreReported() {
    String yaml =
        """
        version: "2"
        services:
          a:
            connector: {name: pg}
            connector: pg
          b: just-text
        """;
    assertThat(errors(yaml))
        .containsExactly(
            "broken.yml:4:16: 'connector' must be a single value, not a mapping",
            "broken.yml:5:5: duplicate key 'connector' (first at line 4:5)",
            "broken.yml:6:3: service b must be a mapping with connector:, listenOn:, credentials:,"
                + " not a value");
  }

  @Test
  void invalidYamlIsOneErrorAtTheProblem() {
    assertThat(errors("version: \"2\"\nservices:\n  a: {connector: pg\n"))
        .containsExactly(
            "broken.yml:4:1: not valid YAML: expected ',' or '}', but got <stream end> (while"
                + " parsing a flow mapping)");
    assertThat(errors(""))
        .containsExactly(
            "broken.yml:1:1: the file is empty; it needs" + " version: \"2\" and services:");
    assertThat(errors("version: \"2\"\n---\nservices: {}\n"))
        .containsExactly(
            "broken.yml:2:1: not valid YAML: expected a single document in the stream but found"
                + " another document");
    assertThat(errors("version: \"2\"\nservices:\n\ta: {}\n"))
        .singleElement()
        .asString()
        .startsWith("broken.yml:3:1: not valid YAML: found character '\\t(TAB)'");
    assertThat(errors("- a\n- b\n"))
        .containsExactly(
            "broken.yml:1:1: the file must be a mapping with version: \"2\" and services:, not a"
                + " list");
  }

  @Test
  void recursiveAliasesAreAnErrorNotAStackOverflow() {
    assertThat(errors("version: \"2\"\nservices: &s\n  a: *s\n"))
        .anySatisfy(e -> assertThat(e).contains("recursion"));
  }

  @Test
  void unknownKeysEverywhereTheLoaderOwnsGetSuggestions() {
    String yaml =
        """
        version: "2"
        servics: {}
        services:
          a:
            conector: pg
            listenon: tcp://127.0.0.1:1
            credentials:
              host: h
              username: u
              password: {from: env, gett: P}
        """;
    assertThat(errors(yaml))
        .containsExactly(
            "broken.yml:2:1: unknown key 'servics'; did you mean 'services'?",
            "broken.yml:4:3: service a has no 'connector'",
            "broken.yml:5:5: unknown key 'conector'; did you mean 'connector'?",
            "broken.yml:6:5: unknown key 'listenon'; did you mean 'listenOn'?",
            "broken.yml:10:7: credential 'password' of service a has no 'get'",
            "broken.yml:10:29: unknown key 'gett'; did you mean 'get'?");
  }

  @Test
  void missingFileIsAnErrorWithUnknownPosition(@TempDir Path dir) {
    Path file = dir.resolve("nope.yml");
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, ENV));
    assertThat(e.errors())
        .containsExactly(
            new ConfigError(Position.unknown(file.toString()), "config file not found"));
    assertThat(e.getMessage()).isEqualTo(file + ":0:0: config file not found");
  }

  @Test
  void directoryInsteadOfFileIsAnError(@TempDir Path dir) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir, ENV));
    assertThat(e.getMessage()).isEqualTo(dir + ":0:0: cannot read config file: it is a directory");
  }

  @Test
  void fileThatIsNotUtf8IsAnError(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bin.yml");
    Files.write(file, new byte[] {'v', (byte) 0xff, (byte) 0xfe});
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, ENV));
    assertThat(e.getMessage()).isEqualTo(file + ":0:0: config file is not valid UTF-8 text");
  }
}
