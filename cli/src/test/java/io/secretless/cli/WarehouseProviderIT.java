package io.secretless.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.broker.Broker;
import io.secretless.broker.BrokerOptions;
import io.secretless.config.BrokerConfig;
import io.secretless.config.ConfigLoader;
import io.secretless.config.ListenAddress;
import io.secretless.core.Secret;
import io.secretless.credentials.CredentialException;
import io.secretless.credentials.WarehouseProvider;
import io.secretless.credentials.WarehouseSettings;
import io.secretless.warehouse.Caller;
import io.secretless.warehouse.Grant;
import io.secretless.warehouse.NewCredential;
import io.secretless.warehouse.Permission;
import io.secretless.warehouse.Rotation;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import io.secretless.warehouse.token.ClientRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code from: warehouse} against a real warehouse in this JVM: its token endpoint issues the
 * provider's token and its API hands out (or refuses) the values.
 */
class WarehouseProviderIT {
  private static final String SINGLE = "Single-Value-Canary-71c";
  private static final String FIELD = "Field-Value-Canary-a93";
  private static final String NOT_GRANTED = "Not-Granted-Canary-2e8";
  static final Caller ADMIN = new Caller("it-admin", Set.of(Caller.ADMIN_ROLE), "it", "it");

  @TempDir Path dir;

  @Test
  void aGrantedClientFetchesValuesAndEveryRefusalIsNamedWithoutAValue() throws Exception {
    WarehouseConfig config = WarehouseTokenHttpIT.warehouse(dir);
    try (WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1:0");
        ApiServer api = ApiServer.start(node, config)) {
      ClientRegistry.Registration broker = node.clients().create("broker-agent", Set.of());
      store(node, "team:api-token", Map.of("value", SINGLE), Optional.empty());
      store(node, "orders-db", Map.of("username", "orders", "password", FIELD), Optional.empty());
      store(node, "payroll", Map.of("value", NOT_GRANTED), Optional.empty());
      store(node, "old", Map.of("value", SINGLE), Optional.of(Instant.now().minusSeconds(60)));
      for (String name : List.of("team:api-token", "orders-db", "old")) {
        node.sharing().grant(ADMIN, name, Grant.agent("broker-agent"), Set.of(Permission.READ));
      }

      try (WarehouseProvider provider = new WarehouseProvider(settings(api, broker))) {
        try (Secret s = provider.get("team:api-token")) {
          assertThat(s.revealString()).as("a name with a colon is URL-encoded").isEqualTo(SINGLE);
        }
        try (Secret s = provider.get("orders-db#password")) {
          assertThat(s.revealString()).isEqualTo(FIELD);
        }
        assertRefused(provider, "orders-db", "has the fields [password, username]");
        assertRefused(
            provider, "orders-db#pasword", "has the fields [password, username], not pasword");
        assertRefused(
            provider, "team:api-token#value", "has a single field: use get: team:api-token");
        assertRefused(provider, "nope", "no credential nope in the warehouse at " + api.baseUrl());
        assertRefused(provider, "payroll", "not granted to client broker-agent");
        assertRefused(provider, "old", "credential old has expired");
      }

      var wrongSecret =
          new WarehouseSettings(
              URI.create(api.baseUrl()),
              "broker-agent",
              Secret.of("Wrong-Secret-Canary-0b4"),
              Optional.empty(),
              java.time.Duration.ofSeconds(5),
              WarehouseSettings.Cache.OFF);
      try (WarehouseProvider provider = new WarehouseProvider(wrongSecret)) {
        assertThatThrownBy(() -> provider.get("team:api-token"))
            .isInstanceOf(CredentialException.class)
            .hasMessageContaining("no access token for client broker-agent")
            .hasMessageContaining("401")
            .message()
            .doesNotContain("Wrong-Secret-Canary-0b4")
            .doesNotContain(SINGLE);
      }
    }
  }

  @Test
  void aStoppedWarehouseIsNamedByItsUrl() throws Exception {
    WarehouseConfig config = WarehouseTokenHttpIT.warehouse(dir);
    String url;
    WarehouseSettings settings;
    try (WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1:0");
        ApiServer api = ApiServer.start(node, config)) {
      settings = settings(api, node.clients().create("broker-agent", Set.of()));
      url = api.baseUrl();
    }
    try (WarehouseProvider provider = new WarehouseProvider(settings)) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> provider.get("api-token"))
          .isInstanceOf(CredentialException.class)
          .hasMessageContaining("warehouse credential api-token")
          .hasMessageContaining(url + "/v1/oauth/token")
          .hasMessageContaining("unreachable")
          .message()
          .doesNotContain(settings.clientSecret().revealString());
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
    }
  }

  @Test
  void anHttpsWarehouseFromAPrivateCaIsTrustedThroughTheCaBundleAndRefusedWithoutIt()
      throws Exception {
    WarehouseConfig config = WarehouseTokenHttpIT.httpsWarehouse(dir);
    try (WarehouseNode node = WarehouseNode.open(config, "https://127.0.0.1:0");
        ApiServer api = ApiServer.start(node, config)) {
      assertThat(api.baseUrl()).startsWith("https://");
      ClientRegistry.Registration broker = clientGrantedApiToken(node);
      Map<String, String> env = new HashMap<>(settingsMap(api, broker));
      Path ca = Path.of(WarehouseTokenHttpIT.env("SECRETLESS_IT_TLS_DIR"), "ca.crt");
      env.put(WarehouseSettings.CA_BUNDLE, ca.toString());
      try (WarehouseProvider provider = new WarehouseProvider(WarehouseSettings.from(env::get));
          Secret s = provider.get("api-token")) {
        assertThat(s.revealString()).isEqualTo(SINGLE);
      }

      try (WarehouseProvider provider = new WarehouseProvider(settings(api, broker))) {
        assertThatThrownBy(() -> provider.get("api-token"))
            .as("the JDK trust store does not know the test CA")
            .isInstanceOf(CredentialException.class)
            .hasMessageContaining("warehouse credential api-token")
            .hasMessageContaining(WarehouseSettings.CA_BUNDLE)
            .message()
            .doesNotContain(broker.clientSecret().revealString())
            .doesNotContain(SINGLE);
      }
    }
  }

  /** The broker resolves {@code from: warehouse} per connection; nginx echoes the header. */
  @Test
  void curlThroughTheBrokerGetsAHeaderFromTheWarehouse() throws Exception {
    int nginx = Integer.parseInt(WarehouseTokenHttpIT.env("SECRETLESS_IT_NGINX_HTTP_PORT"));
    WarehouseConfig config = WarehouseTokenHttpIT.warehouse(dir);
    try (WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1:0");
        ApiServer api = ApiServer.start(node, config)) {
      Map<String, String> props = settingsMap(api, clientGrantedApiToken(node));
      props.forEach(System::setProperty);
      try (Broker broker = broker(nginx)) {
        int proxy = ((ListenAddress.Tcp) broker.address("api")).port();
        String out = headersThrough(proxy, nginx);
        assertThat(out).contains("auth=Bearer " + SINGLE);

        String rotated = "Rotated-Canary-4d2";
        rotateApiToken(node, rotated);
        out = headersThrough(proxy, nginx);
        assertThat(out)
            .as("no value cache: a rotation applies at once")
            .contains("auth=Bearer " + rotated);
      } finally {
        props.keySet().forEach(System::clearProperty);
      }
    }
  }

  static void rotateApiToken(WarehouseNode node, String value) {
    node.warehouse()
        .rotate(
            ADMIN,
            "api-token",
            new Rotation(Map.of("value", value), Optional.empty(), Optional.empty()));
  }

  /** What nginx's /headers saw of a request through the broker's proxy port. */
  private static String headersThrough(int proxy, int nginx) throws Exception {
    return WarehouseTokenHttpIT.curl(
        "-x", "http://127.0.0.1:" + proxy, "http://127.0.0.1:" + nginx + "/headers");
  }

  private static void assertRefused(WarehouseProvider provider, String id, String why) {
    assertThatThrownBy(() -> provider.get(id))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("warehouse credential " + id + ": ")
        .hasMessageContaining(why)
        .message()
        .doesNotContain(SINGLE)
        .doesNotContain(FIELD)
        .doesNotContain(NOT_GRANTED);
  }

  static void store(
      WarehouseNode node, String name, Map<String, String> data, Optional<Instant> expires) {
    node.warehouse()
        .store(
            ADMIN,
            new NewCredential(name, Optional.empty(), data, List.of(), expires, Optional.empty()));
  }

  private static WarehouseSettings settings(ApiServer api, ClientRegistry.Registration client) {
    return WarehouseSettings.from(settingsMap(api, client)::get);
  }

  static Map<String, String> settingsMap(ApiServer api, ClientRegistry.Registration client) {
    return Map.of(
        WarehouseSettings.URL, api.baseUrl(),
        WarehouseSettings.CLIENT_ID, client.agent().id(),
        WarehouseSettings.CLIENT_SECRET, client.clientSecret().revealString());
  }

  /** Client {@code broker-agent}, granted read on {@code api-token} (value {@link #SINGLE}). */
  private static ClientRegistry.Registration clientGrantedApiToken(WarehouseNode node) {
    return clientGrantedApiToken(node, SINGLE);
  }

  /** Client {@code broker-agent}, granted read on {@code api-token} (value {@code value}). */
  static ClientRegistry.Registration clientGrantedApiToken(WarehouseNode node, String value) {
    ClientRegistry.Registration client = node.clients().create("broker-agent", Set.of());
    store(node, "api-token", Map.of("value", value), Optional.empty());
    node.sharing().grant(ADMIN, "api-token", Grant.agent("broker-agent"), Set.of(Permission.READ));
    return client;
  }

  /**
   * A broker whose service {@code api} (forward proxy to nginx) sends {@code Authorization: Bearer
   * {{ .token }}}, the token from the warehouse's {@code api-token}.
   */
  static Broker broker(int nginx) {
    String yaml =
        """
        version: "2"
        services:
          api:
            connector: generic_http
            listenOn: tcp://127.0.0.1:0
            credentials:
              token: { from: warehouse, get: api-token }
            config:
              authenticateURLsMatching: ["^http://127\\\\.0\\\\.0\\\\.1:%d/"]
              headers:
                Authorization: "Bearer {{ .token }}"
        """
            .formatted(nginx);
    BrokerConfig config = ConfigLoader.parse(yaml, "warehouse.yml", Map.of());
    return Broker.start(config, BrokerOptions.defaults().withAdminAddress(Optional.empty()));
  }
}
