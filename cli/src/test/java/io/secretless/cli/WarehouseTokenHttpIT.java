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

  private static String env(String name) {
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
    MasterKey.createKeyFile(dir.resolve("master.key"));
    WarehouseConfig config =
        WarehouseConfig.defaults(dir)
            .withListen("127.0.0.1", 0)
            .withMasterKey(new MasterKeySource.KeyFile(dir.resolve("master.key")));
    try (WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1:0");
        ApiServer api = ApiServer.start(node, config)) {
      ClientRegistry.Registration agent = node.clients().create("http-agent", Set.of());
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
                    token_url: "%s/v1/oauth/token"
                    client_id: "${AGENT_ID}"
                    client_secret: "${AGENT_SECRET}"
              config:
                authenticateURLsMatching: ["^http://127\\\\.0\\\\.0\\\\.1:%d/"]
                headers:
                  Authorization: "Bearer {{ .access_token }}"
          """
              .formatted(api.baseUrl(), nginx);
      BrokerConfig brokerConfig =
          ConfigLoader.parse(
              yaml,
              "oauth2.yml",
              Map.of(
                  "AGENT_ID",
                  agent.agent().id(),
                  "AGENT_SECRET",
                  agent.clientSecret().revealString()));
      try (Broker broker =
          Broker.start(brokerConfig, BrokerOptions.defaults().withAdminAddress(Optional.empty()))) {
        ListenAddress.Tcp proxy = (ListenAddress.Tcp) broker.address("agents");
        Process curl =
            new ProcessBuilder(
                    "curl",
                    "-sS",
                    "--max-time",
                    "30",
                    "-x",
                    "http://127.0.0.1:" + proxy.port(),
                    "http://127.0.0.1:" + nginx + "/headers")
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(out).isZero();

        Matcher m = Pattern.compile("auth=Bearer (\\S+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        SignedJWT jwt = SignedJWT.parse(m.group(1));
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(agent.agent().id());
        assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isInTheFuture();
        assertThat(out).doesNotContain(agent.clientSecret().revealString());

        Process outside =
            new ProcessBuilder(
                    "curl",
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "--max-time",
                    "30",
                    "-x",
                    "http://127.0.0.1:" + proxy.port(),
                    "http://example.invalid/")
                .start();
        String code = new String(outside.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(outside.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(code).as("a host outside authenticateURLsMatching is refused").isEqualTo("403");
      }
    }
  }
}
