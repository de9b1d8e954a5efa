package io.secretless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.secretless.broker.Broker;
import io.secretless.broker.BrokerOptions;
import io.secretless.config.BrokerConfig;
import io.secretless.config.ConfigLoader;
import io.secretless.config.ListenAddress;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import io.secretless.warehouse.api.TlsMaterial;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import io.secretless.warehouse.token.ClientRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OAuth2 list form end to end with real peers only: the warehouse's own token endpoint issues
 * the token (client-credentials grant), the broker injects it, nginx echoes what it received, and
 * curl — which never holds the client secret or the token — calls through the broker.
 */
class WarehouseTokenHttpIT {
  @TempDir Path dir;

  static String env(String name) {
    String v = System.getenv(name);
    if (v == null) {
      throw new IllegalStateException(
          name + " is not set: run ./run-tests or source /tmp/secretless-test/env.sh");
    }
    return v;
  }

  @Test
  void curlThroughTheBrokerReachesNginxWithABearerTokenFromTheWarehouse() throws Exception {
    int nginx = Integer.parseInt(env("SECRETLESS_IT_NGINX_HTTP_PORT"));
    WarehouseConfig config = warehouse(dir);
    try (WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1:0");
        ApiServer api = ApiServer.start(node, config)) {
      ClientRegistry.Registration agent = node.clients().create("http-agent", Set.of());
      try (Broker broker = broker(service("agents", api.baseUrl(), "", nginx), agent)) {
        int proxy = port(broker, "agents");
        String out = curl("-x", "http://127.0.0.1:" + proxy, nginxHeaders(nginx));
        assertBearerFor(agent, out);

        String code =
            curl(
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-x",
                "http://127.0.0.1:" + proxy,
                "http://example.invalid/");
        assertThat(code).as("a host outside authenticateURLsMatching is refused").isEqualTo("403");
      }
    }
  }

  @Test
  void anHttpsTokenEndpointFromAPrivateCaIsTrustedThroughCaBundleAndRefusedWithoutIt()
      throws Exception {
    int nginx = Integer.parseInt(env("SECRETLESS_IT_NGINX_HTTP_PORT"));
    Path tls = Path.of(env("SECRETLESS_IT_TLS_DIR"));
    WarehouseConfig config = httpsWarehouse(dir);
    try (WarehouseNode node = WarehouseNode.open(config, "https://127.0.0.1:0");
        ApiServer api = ApiServer.start(node, config)) {
      assertThat(api.baseUrl()).startsWith("https://");
      ClientRegistry.Registration agent = node.clients().create("tls-agent", Set.of());
      String caBundle = "\n          ca_bundle: \"" + tls.resolve("ca.crt") + "\"";
      String yaml =
          service("trusting", api.baseUrl(), caBundle, nginx)
              + service("default-trust", api.baseUrl(), "", nginx);
      try (Broker broker = broker(yaml, agent)) {
        String out =
            curl("-x", "http://127.0.0.1:" + port(broker, "trusting"), nginxHeaders(nginx));
        assertBearerFor(agent, out);

        String refused =
            curl(
                "-w",
                "\nstatus=%{http_code}",
                "-x",
                "http://127.0.0.1:" + port(broker, "default-trust"),
                nginxHeaders(nginx));
        assertThat(refused)
            .as("the JDK trust store does not know the test CA")
            .contains("status=502")
            .contains("service default-trust")
            .contains("set ca_bundle")
            .doesNotContain(agent.clientSecret().revealString());
      }
    }
  }

  /** {@link #warehouse} serving https with the test servers' certificate (signed by their CA). */
  static WarehouseConfig httpsWarehouse(Path dir) throws Exception {
    Path tls = Path.of(env("SECRETLESS_IT_TLS_DIR"));
    return warehouse(dir)
        .withTls(
            Optional.of(TlsMaterial.pem(tls.resolve("server.crt"), tls.resolve("server.key"))));
  }

  /** A warehouse with a fresh master key in {@code dir}, on a free port. */
  static WarehouseConfig warehouse(Path dir) throws Exception {
    MasterKey.createKeyFile(dir.resolve("master.key"));
    return WarehouseConfig.defaults(dir)
        .withListen("127.0.0.1", 0)
        .withMasterKey(new MasterKeySource.KeyFile(dir.resolve("master.key")));
  }

  /** One generic_http service in the OAuth2 list form; {@code extra} adds lines to its config. */
  private static String service(String name, String warehouseUrl, String extra, int nginx) {
    return """
          - name: %s
            connector: generic_http
            listenOn: tcp://127.0.0.1:0
            authentication:
              - type: oauth2
                config:
                  token_url: "%s/v1/oauth/token"
                  client_id: "${AGENT_ID}"
                  client_secret: "${AGENT_SECRET}"%s
            config:
              authenticateURLsMatching: ["^http://127\\\\.0\\\\.0\\\\.1:%d/"]
              headers:
                Authorization: "Bearer {{ .access_token }}"
        """
        .formatted(name, warehouseUrl, extra, nginx);
  }

  private static Broker broker(String services, ClientRegistry.Registration agent) {
    BrokerConfig config =
        ConfigLoader.parse(
            "version: \"2\"\nservices:\n" + services,
            "oauth2.yml",
            Map.of(
                "AGENT_ID",
                agent.agent().id(),
                "AGENT_SECRET",
                agent.clientSecret().revealString()));
    return Broker.start(config, BrokerOptions.defaults().withAdminAddress(Optional.empty()));
  }

  private static int port(Broker broker, String service) {
    return ((ListenAddress.Tcp) broker.address(service)).port();
  }

  private static String nginxHeaders(int nginx) {
    return "http://127.0.0.1:" + nginx + "/headers";
  }

  /** Runs curl with {@code args}; returns what it printed (stdout and stderr). */
  static String curl(String... args) throws Exception {
    var cmd = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "--max-time", "30"));
    cmd.addAll(java.util.List.of(args));
    Process curl = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(curl.exitValue()).as(out).isZero();
    return out;
  }

  private static void assertBearerFor(ClientRegistry.Registration agent, String out)
      throws Exception {
    Matcher m = Pattern.compile("auth=Bearer (\\S+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    SignedJWT jwt = SignedJWT.parse(m.group(1));
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(agent.agent().id());
    assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isInTheFuture();
    assertThat(out).doesNotContain(agent.clientSecret().revealString());
  }
}
