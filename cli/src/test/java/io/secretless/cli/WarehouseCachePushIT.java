package io.secretless.cli;

import static io.secretless.cli.WarehouseProviderIT.broker;
import static io.secretless.cli.WarehouseProviderIT.clientGrantedApiToken;
import static io.secretless.cli.WarehouseProviderIT.rotateApiToken;
import static io.secretless.cli.WarehouseProviderIT.settingsMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.secretless.broker.Broker;
import io.secretless.credentials.WarehouseSettings;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Push of rotations end to end: a real warehouse in this JVM, the broker with {@code
 * SECRETLESS_WAREHOUSE_CACHE_TTL=5m}, curl and the test servers' nginx, whose {@code /only-token-2}
 * answers 200 only to {@code Authorization: Bearer token-2}. With push the broker drops the cached
 * token when the warehouse reports its rotation, so the upstream never sees the stale one (no
 * credential retry); with {@code SECRETLESS_WAREHOUSE_CACHE_PUSH=off} the one retry catches it.
 */
class WarehouseCachePushIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private int nginx;
  private WarehouseConfig config;
  private WarehouseNode node;
  private ApiServer api;
  private Map<String, String> props;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger watcherLog =
      (Logger) LoggerFactory.getLogger("io.secretless.credentials.ChangeWatcher");

  @BeforeEach
  void startWarehouse() throws Exception {
    nginx = Integer.parseInt(WarehouseTokenHttpIT.env("SECRETLESS_IT_NGINX_HTTP_PORT"));
    config = WarehouseTokenHttpIT.warehouse(dir);
    node = WarehouseNode.open(config, "http://127.0.0.1:0");
    api = ApiServer.start(node, config);
    props = new HashMap<>(settingsMap(api, clientGrantedApiToken(node, "token-1")));
    props.put(WarehouseSettings.CACHE_TTL, "5m");
    logs.start();
    watcherLog.addAppender(logs);
    watcherLog.setLevel(Level.INFO);
  }

  @AfterEach
  void stopWarehouse() {
    watcherLog.detachAppender(logs);
    watcherLog.setLevel(null);
    props.keySet().forEach(System::clearProperty);
    if (api != null) {
      api.close();
    }
    node.close();
  }

  @Test
  void aPushedRotationIsUsedByTheNextRequestWithoutACredentialRetry() throws Exception {
    try (Broker broker = broker()) {
      awaitWatching();
      assertThat(curl(broker, "/"))
          .as("served with the old value")
          .isEqualTo("auth=Bearer token-1\n");
      assertThat(curl(broker, "/")).as("cached").isEqualTo("auth=Bearer token-1\n");
      long fetched = fetches();

      long rotated = System.currentTimeMillis();
      rotateApiToken(node, "token-2");
      ILoggingEvent drop = awaitLine("dropped from the cache (get: api-token)");
      System.out.printf(
          "WarehouseCachePushIT: rotate -> drop logged by the broker in %d ms%n",
          drop.getTimeStamp() - rotated);

      String out = curl(broker, "-i", "/only-token-2");
      assertThat(out).startsWith("HTTP/1.1 200").contains("auth=Bearer token-2");
      assertThat(retries(broker, "credential_retry")).as("no stale value sent").isZero();
      assertThat(fetches()).as("fetched once after the drop").isEqualTo(fetched + 1);
      assertThat(broker.scrapeMetrics())
          .contains(
              "secretless_credential_cache_total{event=\"pushed\",provider=\"warehouse\"} 1.0",
              "secretless_credential_push_connected{provider=\"warehouse\"} 1.0");
    }
  }

  @Test
  void withPushOffTheRotationIsCaughtByTheOneRetryAsBefore() throws Exception {
    props.put(WarehouseSettings.CACHE_PUSH, "off");
    try (Broker broker = broker()) {
      assertThat(curl(broker, "/")).isEqualTo("auth=Bearer token-1\n");
      rotateApiToken(node, "token-2");
      String out = curl(broker, "-i", "/only-token-2");
      assertThat(out).startsWith("HTTP/1.1 200").contains("auth=Bearer token-2");
      assertThat(retries(broker, "credential_retry")).isEqualTo(1);
      assertThat(polls()).as("no poll of the change feed").isZero();
    }
  }

  @Test
  void aWarehouseRestartedUnderTheBrokerIsWatchedAgainAndALaterRotationIsStillPushed()
      throws Exception {
    try (Broker broker = broker()) {
      awaitWatching();
      assertThat(curl(broker, "/")).isEqualTo("auth=Bearer token-1\n");
      int port = api.port();
      api.close();
      api = null;
      node.close();
      awaitLine("push of rotations paused");

      node = WarehouseNode.open(config, "http://127.0.0.1:0");
      api = ApiServer.start(node, config.withListen("127.0.0.1", port));
      awaitLine("answers again; push of rotations resumed");
      assertThat(curl(broker, "/")).as("still cached").isEqualTo("auth=Bearer token-1\n");

      rotateApiToken(node, "token-2");
      awaitLine("dropped from the cache (get: api-token)");
      String out = curl(broker, "-i", "/only-token-2");
      assertThat(out).startsWith("HTTP/1.1 200").contains("auth=Bearer token-2");
      assertThat(retries(broker, "credential_retry")).isZero();
      assertThat(lines(Level.WARN)).as("one WARN for the whole outage").hasSize(1);
    }
  }

  private Broker broker() {
    props.forEach(System::setProperty);
    return WarehouseProviderIT.broker(nginx);
  }

  /** Until the broker's watcher has its starting point (and dropped the cache once). */
  private void awaitWatching() {
    awaitLine("watching the change feed");
  }

  private ILoggingEvent awaitLine(String part) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                List.copyOf(logs.list).stream()
                    .filter(e -> e.getFormattedMessage().contains(part))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private List<String> lines(Level level) {
    return List.copyOf(logs.list).stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** curl through the broker (a new connection) to nginx's {@code path}, the last argument. */
  private String curl(Broker broker, String... args) throws Exception {
    return ApiThroughBroker.curl(broker, nginx, args);
  }

  private long fetches() {
    return count("get_secret");
  }

  /** Answered polls of the change feed (each is one audit record). */
  private long polls() {
    return count("changes");
  }

  private long count(String action) {
    return ApiThroughBroker.audited(node, action);
  }

  private static long retries(Broker broker, String outcome) {
    return ApiThroughBroker.requests(broker, outcome);
  }
}
