package io.secretless.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.secretless.broker.Broker;
import io.secretless.broker.BrokerOptions;
import io.secretless.config.BrokerConfig;
import io.secretless.config.ConfigLoader;
import io.secretless.config.ListenAddress;
import io.secretless.credentials.WarehouseSettings;
import io.secretless.warehouse.Credential;
import io.secretless.warehouse.Grant;
import io.secretless.warehouse.Permission;
import io.secretless.warehouse.Rotation;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.api.ApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code SECRETLESS_WAREHOUSE_CACHE_TTL} end to end: a real warehouse in this JVM, the test
 * PostgreSQL, psql through the broker. A password rotated while the broker still holds the old one
 * costs no failed connection (the refused login is retried once with a fresh fetch), a wrong
 * password fails after that one retry with the usual message, and a stopped warehouse stops no new
 * connection while the cached value lives (push off). With push on, the rotation is dropped before
 * the next login, and PostgreSQL never sees the old password.
 */
class CachedCredentialRotationIT {
  private static final String FIRST = "Rotation-First-Canary-5c2";
  private static final String SECOND = "Rotation-Second-Canary-e71";
  private static final String UNKNOWN = "Rotation-Unknown-Canary-90d";

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  /** What a scenario works with: an admin connection, the role, the warehouse, the broker. */
  private interface Scenario {
    void run(Connection admin, String role, Stoppable warehouse, Broker broker) throws Exception;
  }

  /** The warehouse, stopped by the scenario or at the end. */
  private interface Stoppable {
    WarehouseNode node();

    void stop();
  }

  @Test
  void aRotationBehindTheCacheCostsNoFailedConnectionAndAStoppedWarehouseNoNewOne()
      throws Exception {
    withRoleWarehouseAndBroker(
        "pool: false",
        (admin, role, warehouse, broker) -> {
          WarehouseNode node = warehouse.node();
          int port = port(broker);
          assertThat(psql(port)).isEqualTo(new Psql(0, role));
          assertThat(psql(port)).isEqualTo(new Psql(0, role));
          assertThat(reads(node))
              .as("the second connection was served from the cache")
              .isEqualTo(1);

          rotate(admin, role, node);
          assertThat(psql(port))
              .as("refused with the cached password, retried with the rotated one")
              .isEqualTo(new Psql(0, role));
          assertThat(reads(node)).isEqualTo(2);

          exec(admin, "ALTER ROLE " + role + " PASSWORD '" + UNKNOWN + "'");
          Psql refused = psql(port);
          assertThat(refused.exit()).isNotZero();
          assertThat(refused.out())
              .contains("secretless: service pg: backend 127.0.0.1:")
              .contains("rejected user " + role + ": password authentication failed")
              .doesNotContain(FIRST)
              .doesNotContain(SECOND)
              .doesNotContain(UNKNOWN);
          assertThat(reads(node)).as("one retry, one more fetch, then the failure").isEqualTo(3);

          exec(admin, "ALTER ROLE " + role + " PASSWORD '" + SECOND + "'");
          warehouse.stop();
          assertThat(psql(port))
              .as("the warehouse is down: the value fetched by the retry is still cached")
              .isEqualTo(new Psql(0, role));
        });
  }

  @Test
  void withThePoolAParkedLoginServesOnAfterARotationAndANewLoginIsRetriedOnce() throws Exception {
    withRoleWarehouseAndBroker(
        "pool: true",
        (admin, role, warehouse, broker) -> {
          WarehouseNode node = warehouse.node();
          int port = port(broker);
          assertThat(psql(port)).isEqualTo(new Psql(0, role));
          await().atMost(WAIT).until(() -> poolIdle(broker) == 1); // reset, then parked
          rotate(admin, role, node);
          assertThat(psql(port))
              .as("the backend parked with the old password is reused: no login, no fetch")
              .isEqualTo(new Psql(0, role));
          assertThat(reads(node)).isEqualTo(1);

          await().atMost(WAIT).until(() -> poolIdle(broker) == 1);
          terminateBackendsOf(admin, role);
          await().atMost(WAIT).until(() -> poolIdle(broker) == 0); // dropped by the pool
          assertThat(psql(port))
              .as("a new login with the cached password is refused, fetched again, retried")
              .isEqualTo(new Psql(0, role));
          assertThat(reads(node)).isEqualTo(2);
          assertThat(psql(port))
              .as("parked again, with the new password")
              .isEqualTo(new Psql(0, role));
          assertThat(reads(node)).isEqualTo(2);
        });
  }

  @Test
  void withPushARotationIsDroppedBeforeTheNextLoginSoPostgresqlNeverSeesTheOldPassword()
      throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    try {
      withRoleWarehouseAndBroker(
          "pool: false",
          "on",
          (admin, role, warehouse, broker) -> {
            WarehouseNode node = warehouse.node();
            int port = port(broker);
            await().atMost(WAIT).until(() -> logged(logs, "watching the change feed"));
            assertThat(psql(port)).isEqualTo(new Psql(0, role));
            assertThat(psql(port)).isEqualTo(new Psql(0, role));
            assertThat(reads(node)).as("cached").isEqualTo(1);

            rotate(admin, role, node);
            await()
                .atMost(WAIT)
                .until(() -> logged(logs, "dropped from the cache (get: rotating-db)"));
            assertThat(psql(port))
                .as("the new password at the first login")
                .isEqualTo(new Psql(0, role));
            assertThat(reads(node)).isEqualTo(2);
            assertThat(logged(logs, "one more login")).as("no refused login, no retry").isFalse();
          });
    } finally {
      root.detachAppender(logs);
    }
  }

  private static boolean logged(ListAppender<ILoggingEvent> logs, String part) {
    return List.copyOf(logs.list).stream().anyMatch(e -> e.getFormattedMessage().contains(part));
  }

  /**
   * A role of its own (password {@link #FIRST}) on the test PostgreSQL, a warehouse in this JVM
   * holding it as {@code rotating-db}, and a broker with {@code SECRETLESS_WAREHOUSE_CACHE_TTL=10m}
   * and {@code config: {poolLine}}; all gone afterwards. Push is off (the refused login's retry is
   * what the scenarios test) unless asked for.
   */
  private void withRoleWarehouseAndBroker(String poolLine, Scenario scenario) throws Exception {
    withRoleWarehouseAndBroker(poolLine, "off", scenario);
  }

  private void withRoleWarehouseAndBroker(String poolLine, String push, Scenario scenario)
      throws Exception {
    String role = "rotating_" + Long.toHexString(System.nanoTime());
    try (Connection admin = admin()) {
      exec(admin, "CREATE ROLE " + role + " LOGIN PASSWORD '" + FIRST + "'");
      try {
        withWarehouseAndBroker(admin, role, poolLine, push, scenario);
      } finally {
        terminateBackendsOf(admin, role);
        exec(admin, "DROP ROLE " + role);
      }
    }
  }

  private void withWarehouseAndBroker(
      Connection admin, String role, String poolLine, String push, Scenario scenario)
      throws Exception {
    WarehouseConfig config = WarehouseTokenHttpIT.warehouse(dir);
    WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1:0");
    ApiServer api = ApiServer.start(node, config);
    Map<String, String> props = new HashMap<>();
    boolean[] stopped = {false};
    Stoppable warehouse =
        new Stoppable() {
          @Override
          public WarehouseNode node() {
            return node;
          }

          @Override
          public void stop() {
            if (!stopped[0]) {
              stopped[0] = true;
              api.close();
              node.close();
            }
          }
        };
    try {
      var client = node.clients().create("broker-agent", Set.of());
      WarehouseProviderIT.store(node, "rotating-db", Map.of("value", FIRST), Optional.empty());
      node.sharing()
          .grant(
              WarehouseProviderIT.ADMIN,
              "rotating-db",
              Grant.agent("broker-agent"),
              Set.of(Permission.READ));
      props.putAll(WarehouseProviderIT.settingsMap(api, client));
      props.put(WarehouseSettings.CACHE_TTL, "10m");
      props.put(WarehouseSettings.CACHE_PUSH, push);
      props.forEach(System::setProperty);
      try (Broker broker = broker(role, poolLine)) {
        scenario.run(admin, role, warehouse, broker);
      }
    } finally {
      props.keySet().forEach(System::clearProperty);
      warehouse.stop();
    }
  }

  /** The password rotated in PostgreSQL, then in the warehouse: {@link #SECOND}. */
  private static void rotate(Connection admin, String role, WarehouseNode node)
      throws SQLException {
    exec(admin, "ALTER ROLE " + role + " PASSWORD '" + SECOND + "'");
    node.warehouse()
        .rotate(
            WarehouseProviderIT.ADMIN,
            "rotating-db",
            new Rotation(Map.of("value", SECOND), Optional.empty(), Optional.empty()));
  }

  private static int port(Broker broker) {
    return ((ListenAddress.Tcp) broker.address("pg")).port();
  }

  /** The broker's parked backends (secretless_pg_pool_idle). */
  private static double poolIdle(Broker broker) {
    Matcher m =
        Pattern.compile("(?m)^secretless_pg_pool_idle\\{[^}]*\\} (\\S+)$")
            .matcher(broker.scrapeMetrics());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private static void terminateBackendsOf(Connection admin, String role) throws SQLException {
    exec(
        admin,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
  }

  private record Psql(int exit, String out) {}

  private static Psql psql(int port) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(WarehouseTokenHttpIT.env("SECRETLESS_IT_PG_BIN"), "psql").toString(),
                "host=127.0.0.1 port=" + port + " dbname=appdb sslmode=disable connect_timeout=10",
                "-XAtc",
                "select current_user")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Psql(p.exitValue(), out);
  }

  /**
   * How often the broker's agent read the credential (the warehouse counts every read, and writes
   * the counts once a second: flushed here first).
   */
  private static long reads(WarehouseNode node) {
    node.database().flushAccessCounts();
    return node.warehouse().list(WarehouseProviderIT.ADMIN, List.of(), Optional.empty()).stream()
        .filter(c -> c.name().equals("rotating-db"))
        .mapToLong(Credential::accessCount)
        .sum();
  }

  private static Broker broker(String role, String poolLine) {
    String yaml =
        """
        version: "2"
        services:
          pg:
            connector: pg
            listenOn: tcp://127.0.0.1:0
            credentials:
              host: 127.0.0.1
              port: "%s"
              username: %s
              password: { from: warehouse, get: rotating-db }
              sslmode: require
            config:
              %s
        """
            .formatted(WarehouseTokenHttpIT.env("SECRETLESS_IT_PG_PORT"), role, poolLine);
    BrokerConfig config = ConfigLoader.parse(yaml, "rotation.yml", Map.of());
    return Broker.start(config, BrokerOptions.defaults().withAdminAddress(Optional.empty()));
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:"
            + WarehouseTokenHttpIT.env("SECRETLESS_IT_PG_PORT")
            + "/appdb?sslmode=require",
        WarehouseTokenHttpIT.env("SECRETLESS_IT_PG_ADMIN_USER"),
        WarehouseTokenHttpIT.env("SECRETLESS_IT_PG_ADMIN_PASSWORD"));
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (var s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
