package io.secretless.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code from: warehouse} finds the warehouse and its client, and what it says when not. */
class WarehouseSettingsTest {
  private static final String CANARY = "Client-Secret-Canary-5f1";

  @TempDir Path dir;

  @Test
  void clientIdAndSecretFromTheEnvironmentWithTheDefaultUrl() {
    WarehouseSettings s =
        WarehouseSettings.from(
            Map.of(WarehouseSettings.CLIENT_ID, "broker", WarehouseSettings.CLIENT_SECRET, CANARY)
                ::get);
    assertThat(s.url()).isEqualTo(URI.create("http://127.0.0.1:8200"));
    assertThat(s.tokenUrl()).isEqualTo(URI.create("http://127.0.0.1:8200/v1/oauth/token"));
    assertThat(s.clientId()).isEqualTo("broker");
    assertThat(s.clientSecret().revealString()).isEqualTo(CANARY);
    assertThat(s.caBundle()).isEmpty();
    assertThat(s.toString()).doesNotContain(CANARY);
  }

  @Test
  void theCacheIsOffByDefaultRefreshesAtHalfItsTtlOrAsToldAndBadValuesAreNamed() {
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of(WarehouseSettings.CLIENT_ID, "broker", WarehouseSettings.CLIENT_SECRET, CANARY));
    assertThat(WarehouseSettings.from(env::get).cache()).isEqualTo(WarehouseSettings.Cache.OFF);
    env.put(WarehouseSettings.CACHE_TTL, "1m30s");
    assertThat(WarehouseSettings.from(env::get).cache())
        .isEqualTo(new WarehouseSettings.Cache(Duration.ofSeconds(90), Duration.ofSeconds(45)));
    env.put(WarehouseSettings.CACHE_REFRESH, "10s");
    assertThat(WarehouseSettings.from(env::get).cache().refresh()).hasSeconds(10);

    env.put(WarehouseSettings.CACHE_REFRESH, "2m");
    assertThatThrownBy(() -> WarehouseSettings.from(env::get))
        .isInstanceOf(CredentialException.class)
        .hasMessage(
            "warehouse provider: SECRETLESS_WAREHOUSE_CACHE_REFRESH must be more than 0 and less"
                + " than SECRETLESS_WAREHOUSE_CACHE_TTL (90 s), got 120000 ms");
    env.put(WarehouseSettings.CACHE_REFRESH, "soon");
    assertThatThrownBy(() -> WarehouseSettings.from(env::get))
        .hasMessage(
            "warehouse provider: SECRETLESS_WAREHOUSE_CACHE_REFRESH must be a duration such as"
                + " 500ms, 10s, 2m or 1h30m, got 'soon'");
    env.put(WarehouseSettings.CACHE_TTL, "ten minutes");
    assertThatThrownBy(() -> WarehouseSettings.from(env::get))
        .hasMessage(
            "warehouse provider: SECRETLESS_WAREHOUSE_CACHE_TTL must be a duration such as 500ms,"
                + " 10s, 2m or 1h30m (or 0: no cache), got 'ten minutes'");
    env.put(WarehouseSettings.CACHE_TTL, "0");
    env.put(WarehouseSettings.CACHE_REFRESH, "10s");
    assertThatThrownBy(() -> WarehouseSettings.from(env::get))
        .hasMessage(
            "warehouse provider: SECRETLESS_WAREHOUSE_CACHE_REFRESH needs"
                + " SECRETLESS_WAREHOUSE_CACHE_TTL (the cache is off)");
  }

  @Test
  void pushIsOnWithTheCacheUnlessTurnedOffAndTakesOnlyOnOrOff() {
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of(WarehouseSettings.CLIENT_ID, "broker", WarehouseSettings.CLIENT_SECRET, CANARY));
    assertThat(WarehouseSettings.from(env::get).cache().push()).as("no cache").isFalse();
    env.put(WarehouseSettings.CACHE_PUSH, "off");
    assertThat(WarehouseSettings.from(env::get).cache())
        .as("off without a cache is harmless")
        .isEqualTo(WarehouseSettings.Cache.OFF);
    env.put(WarehouseSettings.CACHE_PUSH, "on");
    assertThatThrownBy(() -> WarehouseSettings.from(env::get))
        .isInstanceOf(CredentialException.class)
        .hasMessage(
            "warehouse provider: SECRETLESS_WAREHOUSE_CACHE_PUSH=on needs"
                + " SECRETLESS_WAREHOUSE_CACHE_TTL (the cache is off)");

    env.put(WarehouseSettings.CACHE_TTL, "5m");
    env.remove(WarehouseSettings.CACHE_PUSH);
    assertThat(WarehouseSettings.from(env::get).cache().push()).as("the default").isTrue();
    env.put(WarehouseSettings.CACHE_PUSH, "off");
    assertThat(WarehouseSettings.from(env::get).cache())
        .isEqualTo(
            new WarehouseSettings.Cache(Duration.ofMinutes(5), Duration.ofSeconds(150), false));
    for (String bad : new String[] {"yes", "true", "ON", "1"}) {
      env.put(WarehouseSettings.CACHE_PUSH, bad);
      assertThatThrownBy(() -> WarehouseSettings.from(env::get))
          .isInstanceOf(CredentialException.class)
          .hasMessage(
              "warehouse provider: SECRETLESS_WAREHOUSE_CACHE_PUSH must be on or off, got '"
                  + bad
                  + "'");
    }
  }

  @Test
  void theClientFileThatWarehouseInitWritesWithItsUrlUnlessTheEnvironmentNamesOne()
      throws IOException {
    Path file = dir.resolve("admin-client.json");
    Files.writeString(
        file,
        """
        {"client_id":"admin","client_secret":"%s","url":"http://10.0.0.7:8200/"}
        """
            .formatted(CANARY));
    WarehouseSettings s =
        WarehouseSettings.from(Map.of(WarehouseSettings.CLIENT_FILE, file.toString())::get);
    assertThat(s.clientId()).isEqualTo("admin");
    assertThat(s.clientSecret().revealString()).isEqualTo(CANARY);
    assertThat(s.url()).isEqualTo(URI.create("http://10.0.0.7:8200"));

    WarehouseSettings overridden =
        WarehouseSettings.from(
            Map.of(
                    WarehouseSettings.CLIENT_FILE,
                    file.toString(),
                    WarehouseSettings.URL,
                    "https://vault.example:9443/warehouse")
                ::get);
    assertThat(overridden.tokenUrl())
        .isEqualTo(URI.create("https://vault.example:9443/warehouse/v1/oauth/token"));
  }

  @Test
  void noClientCredentialsNamesTheVariablesToSet() {
    assertThatThrownBy(() -> WarehouseSettings.from(Map.<String, String>of()::get))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("SECRETLESS_WAREHOUSE_CLIENT_ID")
        .hasMessageContaining("SECRETLESS_WAREHOUSE_CLIENT_SECRET")
        .hasMessageContaining("SECRETLESS_WAREHOUSE_CLIENT_FILE");
    assertThatThrownBy(
            () -> WarehouseSettings.from(Map.of(WarehouseSettings.CLIENT_ID, "broker")::get))
        .hasMessageContaining("SECRETLESS_WAREHOUSE_CLIENT_SECRET is not set");
  }

  @Test
  void aBrokenClientFileIsNamedWithoutQuotingIt() throws IOException {
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(
            () ->
                WarehouseSettings.from(
                    Map.of(WarehouseSettings.CLIENT_FILE, missing.toString())::get))
        .hasMessageContaining(missing + " cannot be read");

    Path garbled = dir.resolve("garbled.json");
    Files.writeString(garbled, "{\"client_secret\": \"" + CANARY + "\"");
    assertThatThrownBy(
            () ->
                WarehouseSettings.from(
                    Map.of(WarehouseSettings.CLIENT_FILE, garbled.toString())::get))
        .hasMessageContaining(garbled + " is not a JSON object")
        .message()
        .doesNotContain(CANARY);

    Path noId = dir.resolve("no-id.json");
    Files.writeString(noId, "{\"client_secret\": \"" + CANARY + "\"}");
    assertThatThrownBy(
            () ->
                WarehouseSettings.from(Map.of(WarehouseSettings.CLIENT_FILE, noId.toString())::get))
        .hasMessageContaining("has no string field client_id")
        .message()
        .doesNotContain(CANARY);
  }

  @Test
  void aBadUrlOrACaBundleForPlainHttpIsRefused() {
    Map<String, String> client =
        Map.of(WarehouseSettings.CLIENT_ID, "broker", WarehouseSettings.CLIENT_SECRET, CANARY);
    assertThatThrownBy(
            () ->
                WarehouseSettings.from(with(client, WarehouseSettings.URL, "127.0.0.1:8200")::get))
        .hasMessageContaining("'127.0.0.1:8200' (SECRETLESS_WAREHOUSE_URL) is not a valid URL");
    assertThatThrownBy(
            () ->
                WarehouseSettings.from(
                    with(client, WarehouseSettings.CA_BUNDLE, dir.resolve("ca.pem").toString())
                        ::get))
        .hasMessageContaining("SECRETLESS_WAREHOUSE_CA_BUNDLE needs an https:// warehouse URL");
  }

  @Test
  void anUnreachableWarehouseIsNamedAndTheSecretIsNot() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Map<String, String> env =
        Map.of(
            WarehouseSettings.CLIENT_ID,
            "broker",
            WarehouseSettings.CLIENT_SECRET,
            CANARY,
            WarehouseSettings.URL,
            "http://127.0.0.1:" + closed);
    try (WarehouseProvider provider = new WarehouseProvider(WarehouseSettings.from(env::get))) {
      assertThat(provider.blocks()).isTrue();
      assertThatThrownBy(() -> provider.get("db-password"))
          .isInstanceOf(CredentialException.class)
          .hasMessageContaining("warehouse credential db-password")
          .hasMessageContaining("client broker")
          .hasMessageContaining("http://127.0.0.1:" + closed + "/v1/oauth/token")
          .hasMessageContaining("unreachable")
          .message()
          .doesNotContain(CANARY);
      assertThatThrownBy(() -> provider.get("db#"))
          .hasMessageContaining("use get: NAME or get: NAME#field");
    }
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    var m = new java.util.HashMap<>(base);
    m.put(key, value);
    return m;
  }
}
