package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.config.ListenAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MiniBrokerPsqlIT {
  static String psql(int port, String sql) throws Exception {
    Process p =
        new ProcessBuilder(
                PgServers.env("SECRETLESS_IT_PG_BIN") + "/psql",
                "host=127.0.0.1 port="
                    + port
                    + " dbname=appdb user=nobody sslmode=disable connect_timeout=10",
                "-Atc",
                sql)
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  @Test
  void psqlLogsInWithEveryAuthMethod() throws Exception {
    for (String kind : new String[] {"SCRAM", "MD5", "CLEARTEXT", "TRUST", "SSL_ONLY"}) {
      for (String mode : new String[] {"disable", "require", "verify-ca", "verify-full"}) {
        try (MiniBroker broker =
            new MiniBroker(
                PgServers.service(
                    "pg-" + kind,
                    new ListenAddress.Tcp("127.0.0.1", 0),
                    PgServers.user(kind, mode)))) {
          String out =
              psql(
                  broker.port(),
                  "select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()");
          System.out.println(kind + " " + mode + " -> " + out + " " + broker.failures);
        }
      }
    }
  }
}
