package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of ListenAddress and the loader over generated input. */
class ConfigLoaderPropertiesTest {
  private static final Map<String, String> ENV = Map.of("A", "1", "B", "x:y");

  @Property
  void tcpAddressesRoundTripThroughTheirText(
      @ForAll("hosts") String host, @ForAll @IntRange(min = 0, max = 65535) int port) {
    ListenAddress address = new ListenAddress.Tcp(host, port);

    assertThat(ListenAddress.parse(address.toString())).isEqualTo(address);
  }

  @Property
  void unixAddressesRoundTripThroughTheirText(@ForAll("paths") String path) {
    ListenAddress address = new ListenAddress.Unix(Path.of(path));

    assertThat(ListenAddress.parse(address.toString())).isEqualTo(address);
  }

  @Property
  void anyListenOnTextIsAnAddressOrAnIllegalArgument(@ForAll String text) {
    try {
      assertThat(ListenAddress.parse(text)).isNotNull();
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property
  void arbitraryTextOnlyEverFailsWithConfigException(@ForAll String text) {
    assertLoadsOrConfigException(text);
  }

  @Property(tries = 500)
  void generatedConfigFilesOnlyEverFailWithConfigException(@ForAll("documents") String yaml) {
    assertLoadsOrConfigException(yaml);
  }

  static void assertLoadsOrConfigException(String yaml) {
    assertThatCode(
            () -> {
              try {
                ConfigLoader.parse(yaml, "p.yml", ENV);
              } catch (ConfigException e) {
                assertThat(e.errors()).isNotEmpty();
                e.errors().forEach(err -> assertThat(err.toString()).startsWith("p.yml:"));
              }
            })
        .doesNotThrowAnyException();
  }

  @Provide
  Arbitrary<String> hosts() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .numeric()
            .withChars('.', '-')
            .ofMinLength(1)
            .ofMaxLength(30);
    return Arbitraries.oneOf(names, Arbitraries.of("::1", "127.0.0.1", "fe80::1%lo", "0.0.0.0"));
  }

  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withChars('.', '_', '-')
        .ofMinLength(1)
        .ofMaxLength(10)
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(parts -> "/" + String.join("/", parts));
  }

  /** Documents assembled from the loader's own vocabulary, nested and typed at random. */
  @Provide
  Arbitrary<String> documents() {
    Arbitrary<String> key =
        Arbitraries.of(
            "version",
            "services",
            "connector",
            "listenOn",
            "credentials",
            "config",
            "name",
            "authentication",
            "type",
            "token_url",
            "client_id",
            "client_secret",
            "from",
            "get",
            "credentialValidations",
            "authenticateURLsMatching",
            "connectTimeout",
            "maxConnections",
            "listeners",
            "handlers",
            "protocol",
            "address",
            "listener",
            "match",
            "provider",
            "id",
            "password",
            "username",
            "host",
            "db",
            "x");
    Arbitrary<String> value =
        Arbitraries.of(
            "\"2\"",
            "2",
            "1",
            "pg",
            "generic_http",
            "basic_auth",
            "oauth2",
            "env",
            "literal",
            "tcp://127.0.0.1:5432",
            "unix:///tmp/s",
            "127.0.0.1:80",
            "${A}",
            "${B}",
            "${C}",
            "$$",
            "'[a-'",
            "10s",
            "-1",
            "~",
            "[]",
            "{}",
            "[a, b]",
            "{from: env, get: A}",
            "https://h/t",
            "&a x",
            "*a",
            "!!int 7",
            "\"\\u0000\"");
    Arbitrary<String> line =
        Combinators.combine(
                Arbitraries.integers().between(0, 4),
                key,
                value,
                Arbitraries.of("", "- "),
                Arbitraries.of(true, false))
            .as(
                (depth, k, v, dash, nested) ->
                    "  ".repeat(depth) + dash + k + ":" + (nested ? "" : " " + v));
    return line.list().ofMinSize(1).ofMaxSize(25).map(lines -> String.join("\n", lines) + "\n");
  }

  @Property(tries = 50)
  void everyShuffledExampleLineOrderFailsCleanly(@ForAll("exampleLines") List<String> lines) {
    assertLoadsOrConfigException(String.join("\n", lines));
  }

  @Provide
  Arbitrary<List<String>> exampleLines() {
    String text = ConfigLoaderErrorsTest.resource("examples/v2-services.yml");
    return Arbitraries.shuffle(List.of(text.split("\n")));
  }
}
