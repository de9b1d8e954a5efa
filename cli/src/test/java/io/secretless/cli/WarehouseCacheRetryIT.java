package io.secretless.cli;

import static io.secretless.cli.WarehouseProviderIT.broker;
import static io.secretless.cli.WarehouseProviderIT.clientGrantedApiToken;
import static io.secretless.cli.WarehouseProviderIT.rotateApiToken;
import static io.secretless.cli.WarehouseProviderIT.settingsMap;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.broker.Broker;
import io.secretless.credentials.WarehouseSettings;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP connector's one retry when the upstream refuses a cached {@code from: warehouse}
 * credential: a real warehouse in this JVM, the broker, curl and the test servers' nginx, whose
 * {@code /only-token-2} answers 200 only to {@code Authorization: Bearer token-2}, else 401.
 */
class WarehouseCacheRetryIT {
  @TempDir Path dir;

  private int nginx;
  private WarehouseNode node;
  private ApiServer api;
  private Map<String, String> props;

  @BeforeEach
  void startWarehouse() throws Exception {
    nginx = Integer.parseInt(WarehouseTokenHttpIT.env("SECRETLESS_IT_NGINX_HTTP_PORT"));
    WarehouseConfig config = WarehouseTokenHttpIT.warehouse(dir);
    node = WarehouseNode.open(config, "http://127.0.0.1:0");
    api = ApiServer.start(node, config);
    props = new HashMap<>(settingsMap(api, clientGrantedApiToken(node, "token-1")));
  }

  @AfterEach
  void stopWarehouse() throws Exception {
    props.keySet().forEach(System::clearProperty);
    if (api != null) {
      api.close();
    }
    node.close();
  }

  @Test
  void aCachedTokenTheUpstreamRefusesIsFetchedAgainAndTheRequestRetriedOnce() throws Exception {
    try (Broker broker = brokerWithCacheTtl("10m")) {
      assertThat(curl(broker, "/")).isEqualTo("auth=Bearer token-1\n");
      long fetched = fetches();
      assertThat(curl(broker, "/")).as("cached").isEqualTo("auth=Bearer token-1\n");
      assertThat(fetches()).isEqualTo(fetched);

      rotateApiToken(node, "token-2");
      String out = curl(broker, "-i", "/only-token-2");
      assertThat(out).startsWith("HTTP/1.1 200").contains("auth=Bearer token-2");
      assertThat(fetches()).as("token-1 refused: token-2 fetched once").isEqualTo(fetched + 1);
      assertThat(retries(broker, "credential_retry")).isEqualTo(1);

      assertThat(curl(broker, "/only-token-2")).as("token-2 is cached now").contains("token-2");
      assertThat(fetches()).isEqualTo(fetched + 1);
      assertThat(retries(broker, "token_retry")).isZero();
    }
  }

  @Test
  void aRotatedValueTheUpstreamRefusesTooIsPassedOnAfterTheOneRetry() throws Exception {
    try (Broker broker = brokerWithCacheTtl("10m")) {
      assertThat(curl(broker, "/")).isEqualTo("auth=Bearer token-1\n");
      long fetched = fetches();
      rotateApiToken(node, "token-3");
      String out = curl(broker, "-i", "/only-token-2");
      assertThat(out).as("passed on after the one retry").startsWith("HTTP/1.1 401");
      assertThat(fetches()).isEqualTo(fetched + 1);
      assertThat(retries(broker, "credential_retry")).isEqualTo(1);
    }
  }

  @Test
  void aRefetchThatFailsGivesTheClientA502NamingTheWarehouseNotAHang() throws Exception {
    try (Broker broker = brokerWithCacheTtl("10m")) {
      assertThat(curl(broker, "/")).isEqualTo("auth=Bearer token-1\n");
      String url = api.baseUrl();
      api.close();
      api = null;

      String out = curl(broker, "-i", "/only-token-2");
      assertThat(out)
          .startsWith("HTTP/1.1 502")
          .contains("warehouse credential api-token")
          .contains(url)
          .doesNotContain("token-1");
      assertThat(retries(broker, "credentials_error")).isEqualTo(1);
      assertThat(retries(broker, "credential_retry"))
          .as("the retry began; resolving its credentials failed")
          .isEqualTo(1);
    }
  }

  @Test
  void withoutTheCacheA401IsPassedOnWithoutRetry() throws Exception {
    try (Broker broker = brokerWithCacheTtl(null)) {
      long fetched = fetches();
      String out = curl(broker, "-i", "/only-token-2");
      assertThat(out).startsWith("HTTP/1.1 401");
      assertThat(fetches()).as("one fetch for the connection, no retry").isEqualTo(fetched + 1);
      assertThat(retries(broker, "credential_retry")).isZero();
    }
  }

  @Test
  void aStreamedBodyGetsThe401ButTheNextRequestOnTheConnectionUsesTheNewValue() throws Exception {
    try (Broker broker = brokerWithCacheTtl("10m")) {
      assertThat(curl(broker, "/")).isEqualTo("auth=Bearer token-1\n");
      rotateApiToken(node, "token-2");
      long fetched = fetches();
      String origin = "http://127.0.0.1:" + nginx;
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ApiThroughBroker.port(broker))) {
        s.setSoTimeout(30_000);
        send(
            s,
            "POST "
                + origin
                + "/only-token-2 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
        assertThat(response(s.getInputStream()))
            .as("a body streamed through cannot be sent again")
            .startsWith("HTTP/1.1 401");
        assertThat(fetches()).as("nothing fetched before it is needed").isEqualTo(fetched);

        send(s, "GET " + origin + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(response(s.getInputStream()))
            .startsWith("HTTP/1.1 200")
            .endsWith("auth=Bearer token-2\n");
      }
      assertThat(fetches()).isEqualTo(fetched + 1);
      assertThat(retries(broker, "credential_retry")).isZero();
    }
  }

  /**
   * A broker reading {@link WarehouseSettings} from system properties; ttl null: no cache. Push is
   * off (WarehouseCachePushIT has it on).
   */
  private Broker brokerWithCacheTtl(String ttl) {
    if (ttl != null) {
      props.put(WarehouseSettings.CACHE_TTL, ttl);
      // The retry is what is tested: push would drop the value before the upstream refuses it.
      props.put(WarehouseSettings.CACHE_PUSH, "off");
    }
    props.forEach(System::setProperty);
    return broker(nginx);
  }

  /** curl through the broker (a new connection) to nginx's {@code path}, the last argument. */
  private String curl(Broker broker, String... args) throws Exception {
    return ApiThroughBroker.curl(broker, nginx, args);
  }

  /** How many times the warehouse handed out a secret (its audit log). */
  private long fetches() {
    return ApiThroughBroker.audited(node, "get_secret");
  }

  private static long retries(Broker broker, String outcome) {
    return ApiThroughBroker.requests(broker, outcome);
  }

  private static void send(Socket s, String request) throws IOException {
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  /** One response with a Content-Length body, as text. */
  private static String response(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the response head ends before the connection: %s", head).isNotNegative();
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
    assertThat(length.find()).as(text).isTrue();
    return text
        + new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.US_ASCII);
  }
}
