package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretless.config.ConfigTree;
import io.secretless.config.ListenAddress;
import io.secretless.config.Position;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** psql as a subprocess through the broker against the real PostgreSQL. */
class PsqlIT {
  private static final ListenAddress ANY_PORT = new ListenAddress.Tcp("127.0.0.1", 0);

  record Result(int exit, String output) {}

  static Process start(String conninfo, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(PgServers.env("SECRETLESS_IT_PG_BIN") + "/psql");
    command.add(conninfo + " connect_timeout=10");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PGPASSFILE", "/nonexistent/secretless-pgpass");
    pb.environment().remove("PGPASSWORD");
    return pb.start();
  }

  static Result run(String conninfo, String... args) throws Exception {
    Process p = start(conninfo, args);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("psql finished").isTrue();
    return new Result(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
  }

  static String at(int port) {
    return "host=127.0.0.1 port=" + port + " dbname=appdb user=app_user_ignored";
  }

  @ParameterizedTest(name = "{0} with backend sslmode={1}")
  @CsvSource({
    "SCRAM,disable,f",
    "SCRAM,require,t",
    "SCRAM,verify-ca,t",
    "SCRAM,verify-full,t",
    "MD5,disable,f",
    "MD5,require,t",
    "MD5,verify-ca,t",
    "MD5,verify-full,t",
    "CLEARTEXT,disable,f",
    "CLEARTEXT,require,t",
    "CLEARTEXT,verify-ca,t",
    "CLEARTEXT,verify-full,t",
    "TRUST,disable,f",
    "TRUST,verify-full,t",
    "SSL_ONLY,require,t",
    "SSL_ONLY,verify-full,t"
  })
  void psqlRunsQueriesAsTheCredentialUser(String kind, String sslmode, String ssl)
      throws Exception {
    var creds = PgServers.user(kind, sslmode);
    try (TestBroker broker = TestBroker.start(PgServers.service("pg-psql", ANY_PORT, creds))) {
      Result r =
          run(
              at(broker.port()) + " sslmode=disable",
              "-Atc",
              "select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()");
      assertThat(r.output()).isEqualTo(creds.get("username") + "|" + ssl);
      assertThat(r.exit()).isZero();
    }
  }

  @Test
  void psqlSslmodeRequireIsRefusedWithoutClientTls() throws Exception {
    try (TestBroker broker =
        TestBroker.start(
            PgServers.service("pg-psql", ANY_PORT, PgServers.user("SCRAM", "require")))) {
      Result r = run(at(broker.port()) + " sslmode=require", "-Atc", "select 1");
      assertThat(r.exit()).isNotZero();
      assertThat(r.output()).contains("server does not support SSL");
    }
  }

  @Test
  void psqlVerifyFullWorksWithClientTls() throws Exception {
    Position pos = new Position("test.yml", 1, 1);
    String dir = PgServers.tlsDir();
    String cert = java.nio.file.Files.readString(java.nio.file.Path.of(dir, "server.crt"));
    ConfigTree tls =
        new ConfigTree(Map.of("cert", cert, "key", dir + "/server.key"), Map.of(), pos);
    try (TestBroker broker =
        TestBroker.start(
            PgServers.service(
                "pg-psql",
                ANY_PORT,
                PgServers.user("SCRAM", "verify-full"),
                new ConfigTree(Map.of("tls", tls), Map.of(), pos)))) {
      Result r =
          run(
              "host=localhost hostaddr=127.0.0.1 port="
                  + broker.port()
                  + " dbname=appdb user=x sslmode=verify-full sslrootcert="
                  + dir
                  + "/ca.crt",
              "-Atc",
              "select current_user");
      assertThat(r.output()).isEqualTo("scram_user");
    }
  }

  @Test
  void psqlWorksOverAUnixSocketListener(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve(".s.PGSQL.5432");
    try (TestBroker broker =
        TestBroker.start(
            PgServers.service(
                "pg-unix",
                new ListenAddress.Unix(socket),
                PgServers.user("SCRAM", "verify-full")))) {
      assertThat(broker.address()).isEqualTo(new ListenAddress.Unix(socket));
      Result r =
          run(
              "host=" + dir + " port=5432 dbname=appdb user=nobody",
              "-Atc",
              "select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()");
      assertThat(r.output()).isEqualTo("scram_user|t");
    }
  }

  @Test
  void psqlCtrlCCancelsTheRunningQuery() throws Exception {
    try (TestBroker broker =
            TestBroker.start(
                PgServers.service("pg-psql", ANY_PORT, PgServers.user("MD5", "require")));
        Connection admin = PgConnectorIT.direct()) {
      Process p = start(at(broker.port()) + " sslmode=disable", "-c", "select pg_sleep(60)");
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    PgConnectorIT.one(
                            admin,
                            "select count(*) from pg_stat_activity where usename = 'md5_user'"
                                + " and query = 'select pg_sleep(60)' and state = 'active'")
                        .equals("1"));
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("psql ended after Ctrl-C").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("canceling statement due to user request");
      } finally {
        p.destroyForcibly();
      }
    }
  }
}
