package io.secretless.pg;

import static io.secretless.pg.PgConnectorIT.connect;
import static io.secretless.pg.PgConnectorIT.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ListenAddress;
import io.secretless.config.Position;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.credentials.CredentialProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend session pool against the real PostgreSQL, with pgjdbc and psql. Brokers run one event
 * loop unless a test says otherwise (the pool prefers a backend of the client's loop and lends one
 * of another loop when its own has none).
 */
class BackendPoolIT {
  private static final ListenAddress ANY_PORT = new ListenAddress.Tcp("127.0.0.1", 0);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static TestBroker broker(String name, String kind, String sslmode) {
    return TestBroker.start(1, PgServers.service(name, ANY_PORT, PgServers.user(kind, sslmode)));
  }

  private static double metric(TestBroker broker, String name, String labels) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
            .matcher(broker.metrics());
    double total = 0;
    while (m.find()) {
      if (m.group(1).contains(labels)) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private static double idle(TestBroker broker) {
    return metric(broker, "secretless_pg_pool_idle", "");
  }

  private static double discarded(TestBroker broker, String reason) {
    return metric(broker, "secretless_pg_pool_discarded_total", "reason=\"" + reason + "\"");
  }

  /** Opens, asks for the backend pid, closes; then waits until the backend is parked. */
  private static String pidOfOneSession(TestBroker broker) throws SQLException {
    String pid;
    try (Connection c = connect(broker.port(), "?sslmode=disable")) {
      pid = one(c, "select pg_backend_pid()");
    }
    await().atMost(WAIT).until(() -> idle(broker) == 1);
    return pid;
  }

  private static boolean backendAlive(String pid) throws SQLException {
    try (Connection admin = PgConnectorIT.direct()) {
      return one(admin, "select count(*) from pg_stat_activity where pid = " + pid).equals("1");
    }
  }

  @Test
  void pgjdbcReconnectsReuseOneBackend() throws Exception {
    try (TestBroker broker = broker("pool-reuse", "SCRAM", "require")) {
      String first = pidOfOneSession(broker);
      for (int i = 0; i < 4; i++) {
        assertThat(pidOfOneSession(broker)).isEqualTo(first);
      }
      assertThat(metric(broker, "secretless_pg_pool_reused_total", "")).isEqualTo(4);
      assertThat(broker.failures()).isZero();
    }
  }

  @Test
  void withTwoEventLoopsAReconnectOnTheOtherLoopReusesTheParkedBackend() throws Exception {
    var creds = PgServers.user("SCRAM", "require");
    try (TestBroker broker = TestBroker.start(2, PgServers.service("pool-2", ANY_PORT, creds))) {
      List<String> pids = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) { // accepted connections alternate between the two loops
        try (Connection c = connect(broker.port(), "?sslmode=disable")) {
          pids.add(one(c, "select pg_backend_pid()"));
          assertThat(one(c, "select 6 * 7")).as("a second round trip").isEqualTo("42");
        }
        await().atMost(WAIT).until(() -> idle(broker) == 1);
      }
      assertThat(pids).containsOnly(pids.get(0));
      assertThat(metric(broker, "secretless_pg_pool_reused_total", "")).isEqualTo(5);
      assertThat(discarded(broker, "reset_failed")).isZero();
      assertThat(broker.failures()).isZero();
    }
  }

  /** pgbench through the broker; true when it finished in time with exit code 0. */
  private static boolean pgbench(int port, Path script, String... extra) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                PgServers.env("SECRETLESS_IT_PG_BIN") + "/pgbench",
                "-n",
                "-f",
                script.toString(),
                "-c",
                "8",
                "-j",
                "2",
                "-T",
                "1",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                "app",
                PgServers.env("SECRETLESS_IT_PG_DATABASE")));
    command.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PGSSLMODE", "disable");
    pb.environment().remove("PGPASSWORD");
    Process p = pb.start();
    boolean done = p.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    p.getInputStream().readAllBytes();
    return done && p.exitValue() == 0;
  }

  @Test
  void pgbenchRoundsOnTwoEventLoopsWithReusedBackendsAllFinish(@TempDir Path dir) throws Exception {
    Path script = Files.writeString(dir.resolve("select1.sql"), "SELECT 1;\n");
    var creds = PgServers.user("SCRAM", "require");
    Position at = new Position("test.yml", 1, 1);
    // One parked backend at most: a round's 8 new clients find it on one loop only.
    ConfigTree pool =
        new ConfigTree(
            Map.of("pool", new ConfigTree(Map.of("maxIdle", 1L), Map.of(), at)), Map.of(), at);
    try (TestBroker broker =
        TestBroker.start(2, PgServers.service("pool-load", ANY_PORT, creds, pool))) {
      for (int round = 0; round < 6; round++) { // each round reconnects 8 clients: reuse at start
        assertThat(pgbench(broker.port(), script)).as("persistent round %d", round).isTrue();
      }
      assertThat(pgbench(broker.port(), script, "-C")).as("-C round").isTrue();
      assertThat(metric(broker, "secretless_pg_pool_reused_total", "")).isGreaterThan(5);
      assertThat(broker.failures()).isZero();
    }
  }

  /**
   * Connection churn on two loops with backends lent across them: every client of the busy rounds
   * finishes (a relay set up from the wrong loop stalled here), nearly every connection reuses a
   * backend, and no reset goes astray (a reset answer taken by the relay would time out).
   */
  @Test
  void pgbenchConnectPerTransactionOnTwoEventLoopsReusesAcrossLoops(@TempDir Path dir)
      throws Exception {
    Path script = Files.writeString(dir.resolve("select1.sql"), "SELECT 1;\n");
    var creds = PgServers.user("SCRAM", "require");
    try (TestBroker broker = TestBroker.start(2, PgServers.service("pool-x", ANY_PORT, creds))) {
      for (int round = 0; round < 3; round++) {
        // 4 s of churn per round: the stall of a watch added behind a lent backend's relay took
        // a few thousand connections to show.
        assertThat(pgbench(broker.port(), script, "-C", "-T", "4"))
            .as("-C round %d", round)
            .isTrue();
        assertThat(pgbench(broker.port(), script)).as("persistent round %d", round).isTrue();
      }
      double accepted =
          metric(broker, "secretless_connections_accepted_total", "service=\"pool-x\"");
      double reused = metric(broker, "secretless_pg_pool_reused_total", "");
      assertThat(accepted).isGreaterThan(50);
      // At most the 8 clients' backends plus the parked ones (maxIdle 20): a client reconnecting
      // while its old backend is still being reset needs another.
      assertThat(accepted - reused).as("new logins").isLessThanOrEqualTo(28);
      assertThat(discarded(broker, "reset_failed")).isZero();
      assertThat(discarded(broker, "client_not_idle")).isZero();
      assertThat(broker.failures()).isZero();
    }
  }

  @Test
  void psqlReconnectsReuseTheBackendAndSeeTheSameLoginParameters() throws Exception {
    try (TestBroker broker = broker("pool-psql", "MD5", "disable")) {
      String query = "select pg_backend_pid(), current_user, current_setting('application_name')";
      PsqlIT.Result first = PsqlIT.run(PsqlIT.at(broker.port()), "-Atc", query);
      assertThat(first.exit()).as(first.output()).isZero();
      await().atMost(WAIT).until(() -> idle(broker) == 1);
      PsqlIT.Result second = PsqlIT.run(PsqlIT.at(broker.port()), "-Atc", query);
      assertThat(second.output()).isEqualTo(first.output()).endsWith("|md5_user|psql");
      assertThat(metric(broker, "secretless_pg_pool_reused_total", "")).isEqualTo(1);
    }
  }

  @Test
  void sessionStateOfOneClientIsGoneForTheNext() throws Exception {
    try (TestBroker broker = broker("pool-reset", "SCRAM", "disable")) {
      String pid;
      try (Connection c = connect(broker.port(), "?sslmode=disable");
          Statement s = c.createStatement()) {
        pid = one(c, "select pg_backend_pid()");
        s.execute("set application_name = 'leaky'");
        s.execute("set search_path = pg_catalog");
        s.execute("create temp table leftover(x int)");
        s.execute("prepare leftover_stmt as select 1");
        s.execute("listen leftover_channel");
      }
      await().atMost(WAIT).until(() -> idle(broker) == 1);
      try (Connection c = connect(broker.port(), "?sslmode=disable")) {
        assertThat(one(c, "select pg_backend_pid()")).isEqualTo(pid);
        assertThat(one(c, "show application_name")).isEqualTo("PostgreSQL JDBC Driver");
        assertThat(one(c, "show search_path")).isEqualTo("\"$user\", public");
        assertThat(one(c, "select to_regclass('pg_temp.leftover') is null")).isEqualTo("t");
        assertThat(one(c, "select count(*) from pg_prepared_statements")).isEqualTo("0");
        assertThat(one(c, "select count(*) from pg_listening_channels()")).isEqualTo("0");
      }
    }
  }

  @Test
  void clientLeavingInsideATransactionDoesNotReturnItsBackend() throws Exception {
    try (TestBroker broker = broker("pool-tx", "SCRAM", "disable")) {
      String pid;
      try (Connection c = connect(broker.port(), "?sslmode=disable")) {
        c.setAutoCommit(false);
        pid = one(c, "select pg_backend_pid()");
        try (Statement s = c.createStatement()) {
          s.execute("create temp table in_tx(x int)");
        }
      } // closed with the transaction open
      await().atMost(WAIT).until(() -> discarded(broker, "client_not_idle") == 1);
      await().atMost(WAIT).until(() -> !backendAlive(pid));
      assertThat(idle(broker)).isZero();
      try (Connection c = connect(broker.port(), "?sslmode=disable")) {
        assertThat(one(c, "select pg_backend_pid()")).isNotEqualTo(pid);
        assertThat(one(c, "select txid_current_if_assigned() is null")).isEqualTo("t");
        assertThat(one(c, "select to_regclass('pg_temp.in_tx') is null")).isEqualTo("t");
      }
    }
  }

  @Test
  void cancelReachesTheQueryOfAReusedBackend() throws Exception {
    try (TestBroker broker = broker("pool-cancel", "SCRAM", "require")) {
      String pid = pidOfOneSession(broker);
      try (Connection c = connect(broker.port(), "?sslmode=disable");
          Statement s = c.createStatement()) {
        assertThat(one(c, "select pg_backend_pid()")).isEqualTo(pid);
        CompletableFuture<Void> sleeping =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    s.execute("select pg_sleep(30)");
                  } catch (SQLException e) {
                    throw new IllegalStateException(e.getSQLState(), e);
                  }
                });
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  try (Connection admin = PgConnectorIT.direct()) {
                    return one(
                            admin,
                            "select count(*) from pg_stat_activity where pid = "
                                + pid
                                + " and query like 'select pg_sleep%' and state = 'active'")
                        .equals("1");
                  }
                });
        s.cancel();
        assertThatThrownBy(() -> sleeping.get(20, TimeUnit.SECONDS))
            .hasCauseInstanceOf(IllegalStateException.class)
            .cause()
            .hasMessage("57014");
        assertThat(one(c, "select 1")).isEqualTo("1");
      }
    }
  }

  /** Serves the trust user's credentials; its password value can be changed (trust ignores it). */
  static final class RotatingProvider implements CredentialProvider {
    final Map<String, String> values = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "rotating";
    }

    @Override
    public Secret get(String id) {
      return Secret.of(values.get(id));
    }
  }

  @Test
  void aRotatedPasswordNeverReusesTheOldLogin() throws Exception {
    RotatingProvider provider = new RotatingProvider();
    provider.values.putAll(PgServers.user("TRUST", "disable"));
    provider.values.put("password", "Rotation-Canary-One");
    Map<String, CredentialRef> refs = new LinkedHashMap<>();
    Position at = new Position("test.yml", 1, 1);
    provider
        .values
        .keySet()
        .forEach(k -> refs.put(k, new CredentialRef.FromProvider("rotating", k, at)));
    ServiceConfig service =
        new ServiceConfig(
            "pool-rotate", "pg", ANY_PORT, refs, ConfigTree.empty(at), Map.of(), List.of(), at);
    try (TestBroker broker = TestBroker.start(1, service, provider)) {
      String before = pidOfOneSession(broker);
      provider.values.put("password", "Rotation-Canary-Two");
      String after;
      try (Connection c = connect(broker.port(), "?sslmode=disable")) {
        after = one(c, "select pg_backend_pid()");
      }
      assertThat(after).isNotEqualTo(before);
      assertThat(metric(broker, "secretless_pg_pool_reused_total", "")).isZero();
      assertThat(broker.metrics()).doesNotContain("Rotation-Canary");
    }
  }

  @Test
  void poolFalseNeverReuses() throws Exception {
    Position at = new Position("test.yml", 1, 1);
    ConfigTree off = new ConfigTree(Map.of("pool", false), Map.of(), at);
    try (TestBroker broker =
        TestBroker.start(
            PgServers.service("pool-off", ANY_PORT, PgServers.user("SCRAM", "disable"), off))) {
      String first;
      try (Connection c = connect(broker.port(), "?sslmode=disable")) {
        first = one(c, "select pg_backend_pid()");
      }
      await().atMost(WAIT).until(() -> !backendAlive(first));
      try (Connection c = connect(broker.port(), "?sslmode=disable")) {
        assertThat(one(c, "select pg_backend_pid()")).isNotEqualTo(first);
      }
      assertThat(broker.metrics()).doesNotContain("secretless_pg_pool");
    }
  }

  @Test
  void aParkedBackendKilledOnTheServerIsNotHandedOut() throws Exception {
    try (TestBroker broker = broker("pool-kill", "SCRAM", "require")) {
      String pid = pidOfOneSession(broker);
      try (Connection admin = PgConnectorIT.direct()) {
        assertThat(one(admin, "select pg_terminate_backend(" + pid + ")")).isEqualTo("t");
      }
      await().atMost(WAIT).until(() -> idle(broker) == 0);
      assertThat(discarded(broker, "backend_closed") + discarded(broker, "unexpected_message"))
          .isEqualTo(1);
      try (Connection c = connect(broker.port(), "?sslmode=disable")) {
        assertThat(one(c, "select pg_backend_pid()")).isNotEqualTo(pid);
      }
      assertThat(broker.failures()).isZero();
    }
  }

  @Test
  void brokerShutdownTerminatesParkedBackends() throws Exception {
    String pid;
    try (TestBroker broker = broker("pool-stop", "SCRAM", "disable")) {
      pid = pidOfOneSession(broker);
      assertThat(backendAlive(pid)).isTrue();
    }
    await().atMost(WAIT).until(() -> !backendAlive(pid));
  }
}
