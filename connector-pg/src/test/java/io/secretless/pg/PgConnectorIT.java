package io.secretless.pg;

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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/** pgjdbc through the broker against the real PostgreSQL (scripts/servers/20-postgres.sh). */
class PgConnectorIT {
  private static final ListenAddress ANY_PORT = new ListenAddress.Tcp("127.0.0.1", 0);

  static Connection connect(int port, String extra) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "ignored_by_broker");
    props.setProperty("password", "ignored-too");
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", "60");
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:"
            + port
            + "/"
            + PgServers.env("SECRETLESS_IT_PG_DATABASE")
            + extra,
        props);
  }

  static Connection direct() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + PgServers.host() + ":" + PgServers.port() + "/appdb?sslmode=disable",
        PgServers.env("SECRETLESS_IT_PG_ADMIN_USER"),
        PgServers.env("SECRETLESS_IT_PG_ADMIN_PASSWORD"));
  }

  static String one(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @ParameterizedTest(name = "{0} with backend sslmode={1}")
  @CsvSource({
    "SCRAM,disable,false",
    "SCRAM,require,true",
    "SCRAM,verify-full,true",
    "MD5,disable,false",
    "MD5,verify-ca,true",
    "CLEARTEXT,require,true",
    "TRUST,disable,false",
    "SSL_ONLY,verify-full,true"
  })
  void pgjdbcLogsInAsTheCredentialUser(String kind, String sslmode, boolean ssl) throws Exception {
    var creds = PgServers.user(kind, sslmode);
    try (TestBroker broker = TestBroker.start(PgServers.service("pg-it", ANY_PORT, creds));
        Connection c = connect(broker.port(), "?sslmode=disable")) {
      assertThat(one(c, "select current_user")).isEqualTo(creds.get("username"));
      assertThat(one(c, "select ssl from pg_stat_ssl where pid = pg_backend_pid()"))
          .isEqualTo(ssl ? "t" : "f");
      assertThat(one(c, "select current_database()")).isEqualTo("appdb");
      assertThat(one(c, "show application_name")).isEqualTo("PostgreSQL JDBC Driver");
    }
  }

  @Test
  void repeatedScramPlusLoginsThroughOneListenerSucceed() throws Exception {
    // The second and later logins answer from the cached SCRAM keys.
    try (TestBroker broker =
        TestBroker.start(
            PgServers.service("pg-again", ANY_PORT, PgServers.user("SCRAM", "verify-full")))) {
      for (int i = 0; i < 3; i++) {
        try (Connection c = connect(broker.port(), "?sslmode=disable")) {
          assertThat(one(c, "select current_user")).isEqualTo("scram_user");
        }
      }
      assertThat(broker.failures()).isZero();
    }
  }

  @Test
  void credentialStartupParametersOverrideTheClients() throws Exception {
    var creds = new java.util.LinkedHashMap<>(PgServers.user("SCRAM", "disable"));
    creds.put("dbname", "postgres");
    creds.put("search_path", "pg_catalog");
    try (TestBroker broker = TestBroker.start(PgServers.service("pg-it", ANY_PORT, creds));
        Connection c = connect(broker.port(), "?sslmode=disable")) {
      assertThat(one(c, "select current_database()")).isEqualTo("postgres");
      assertThat(one(c, "show search_path")).isEqualTo("pg_catalog");
    }
  }

  @Test
  void wrongPasswordIsInvalidPasswordNamingServiceWithoutTheSecret() throws Exception {
    var creds = new java.util.LinkedHashMap<>(PgServers.user("SCRAM", "require"));
    creds.put("password", "Wrong-Canary-0000");
    try (TestBroker broker = TestBroker.start(PgServers.service("pg-bad", ANY_PORT, creds))) {
      assertThatThrownBy(() -> connect(broker.port(), "?sslmode=disable"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("secretless: service pg-bad: backend 127.0.0.1:")
          .hasMessageContaining("rejected user scram_user: password authentication failed")
          .hasMessageNotContaining("Wrong-Canary")
          .hasMessageNotContaining(PgServers.env("SECRETLESS_IT_PG_SCRAM_PASSWORD"))
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }
  }

  /** Hands out the test user's credentials and remembers every Secret it gave. */
  static final class RecordingProvider implements CredentialProvider {
    final List<Secret> given = new CopyOnWriteArrayList<>();
    final Map<String, String> values;

    RecordingProvider(Map<String, String> values) {
      this.values = values;
    }

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public Secret get(String id) {
      Secret s = Secret.of(values.get(id));
      given.add(s);
      return s;
    }
  }

  @Test
  void credentialsAreZeroedOnceTheBackendAcceptedThemOrFailed() throws Exception {
    var good = PgServers.user("SCRAM", "require");
    var bad = new java.util.LinkedHashMap<>(good);
    bad.put("password", "Wrong-Canary-0001");
    for (var values : List.of(good, bad)) {
      RecordingProvider provider = new RecordingProvider(values);
      Map<String, CredentialRef> refs = new java.util.LinkedHashMap<>();
      Position at = new Position("test.yml", 1, 1);
      values.keySet().forEach(k -> refs.put(k, new CredentialRef.FromProvider("recording", k, at)));
      ServiceConfig service =
          new ServiceConfig(
              "pg-zero", "pg", ANY_PORT, refs, ConfigTree.empty(at), Map.of(), List.of(), at);
      try (TestBroker broker = TestBroker.start(service, provider)) {
        try (Connection c = connect(broker.port(), "?sslmode=disable")) {
          assertThat(one(c, "select 1")).isEqualTo("1");
        } catch (SQLException e) {
          assertThat(e.getSQLState()).isEqualTo("28P01");
        }
        assertThat(provider.given).hasSize(values.size());
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> provider.given.stream().allMatch(Secret::isDestroyed));
      }
    }
  }

  @Test
  void backendDownIsCannotConnect() throws Exception {
    var creds = new java.util.LinkedHashMap<>(PgServers.user("SCRAM", "require"));
    creds.put("port", "1");
    try (TestBroker broker = TestBroker.start(PgServers.service("pg-down", ANY_PORT, creds))) {
      assertThatThrownBy(() -> connect(broker.port(), "?sslmode=disable"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining(
              "secretless: service pg-down: cannot connect to backend 127.0.0.1:1: connection refused")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    }
  }

  @Test
  void unknownBackendHostIsCannotConnect() throws Exception {
    var creds = new java.util.LinkedHashMap<>(PgServers.user("SCRAM", "require"));
    creds.put("host", "no-such-host.invalid");
    try (TestBroker broker = TestBroker.start(PgServers.service("pg-dns", ANY_PORT, creds))) {
      assertThatThrownBy(() -> connect(broker.port(), "?sslmode=disable"))
          .hasMessageContaining(
              "secretless: service pg-dns: cannot resolve backend host no-such-host.invalid")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
      assertThat(broker.failures("backend_unreachable")).isEqualTo(1);
    }
  }

  @Test
  void sslOnlyUserIsRejectedByPgHbaWithoutTls() throws Exception {
    try (TestBroker broker =
        TestBroker.start(
            PgServers.service("pg-plain", ANY_PORT, PgServers.user("SSL_ONLY", "disable")))) {
      assertThatThrownBy(() -> connect(broker.port(), "?sslmode=disable"))
          .hasMessageContaining("service pg-plain: backend")
          .hasMessageContaining("pg_hba.conf rejects connection")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
    }
  }

  @Test
  void verifyFullRefusesABackendCertificateForAnotherName() throws Exception {
    var creds = new java.util.LinkedHashMap<>(PgServers.user("SCRAM", "verify-full"));
    creds.put("sslhost", "db.example.com");
    try (TestBroker broker = TestBroker.start(PgServers.service("pg-name", ANY_PORT, creds))) {
      assertThatThrownBy(() -> connect(broker.port(), "?sslmode=disable"))
          .hasMessageContaining("service pg-name: TLS handshake with backend")
          .hasMessageContaining("sslmode=verify-full")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    }
  }

  @Test
  void statementCancelReachesTheBackend() throws Exception {
    try (TestBroker broker =
            TestBroker.start(
                PgServers.service("pg-cancel", ANY_PORT, PgServers.user("SCRAM", "require")));
        Connection c = connect(broker.port(), "?sslmode=disable");
        Connection admin = direct();
        Statement s = c.createStatement()) {
      String pid = one(c, "select pg_backend_pid()");
      CompletableFuture<Throwable> sleeping =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  s.execute("select pg_sleep(60)");
                  return null;
                } catch (SQLException e) {
                  return e;
                }
              });
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  one(
                          admin,
                          "select count(*) from pg_stat_activity where pid = "
                              + pid
                              + " and query like 'select pg_sleep%' and state = 'active'")
                      .equals("1"));
      s.cancel();
      Throwable error = sleeping.get(20, TimeUnit.SECONDS);
      assertThat(error).isInstanceOf(SQLException.class);
      assertThat(((SQLException) error).getSQLState()).isEqualTo("57014");
      assertThat(one(c, "select 42")).isEqualTo("42");
    }
  }

  @Test
  void fiveMegabyteCopyOutAndInIsByteIdentical() throws Exception {
    String query =
        "COPY (SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, 40000) i) TO STDOUT";
    byte[] expected;
    try (Connection admin = direct()) {
      expected = copyOut(admin, query);
    }
    assertThat(expected.length).isGreaterThan(5_000_000);
    try (TestBroker broker =
            TestBroker.start(
                PgServers.service("pg-copy", ANY_PORT, PgServers.user("SCRAM", "require")));
        Connection c = connect(broker.port(), "?sslmode=disable")) {
      assertThat(copyOut(c, query)).isEqualTo(expected);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE copied (i int, t text)");
      }
      long rows =
          new CopyManager((BaseConnection) c)
              .copyIn("COPY copied FROM STDIN", new ByteArrayInputStream(expected));
      assertThat(rows).isEqualTo(40000);
      assertThat(copyOut(c, "COPY copied TO STDOUT")).isEqualTo(expected);
    }
  }

  private static byte[] copyOut(Connection c, String sql) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new CopyManager(c.unwrap(BaseConnection.class)).copyOut(sql, out);
    return out.toByteArray();
  }

  @Test
  void clientTlsLetsSslmodeRequireClientsIn() throws Exception {
    Position at = new Position("test.yml", 1, 1);
    String dir = PgServers.tlsDir();
    ConfigTree tls =
        new ConfigTree(
            Map.of("cert", dir + "/server.crt", "key", dir + "/server.key"), Map.of(), at);
    ConfigTree config = new ConfigTree(Map.of("tls", tls), Map.of(), at);
    try (TestBroker broker =
            TestBroker.start(
                PgServers.service("pg-tls", ANY_PORT, PgServers.user("MD5", "require"), config));
        Connection c =
            connect(broker.port(), "?sslmode=verify-full&sslrootcert=" + dir + "/ca.crt")) {
      assertThat(one(c, "select current_user")).isEqualTo("md5_user");
    }
  }
}
