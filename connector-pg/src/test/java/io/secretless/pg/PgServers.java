package io.secretless.pg;

import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ListenAddress;
import io.secretless.config.Position;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The shared test PostgreSQL (scripts/servers/20-postgres.sh) and service configs for it. */
final class PgServers {
  private PgServers() {}

  static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(
          name
              + " is not set: run ./run-tests or source /tmp/secretless-test/env.sh before the"
              + " integration tests");
    }
    return value;
  }

  static String host() {
    return env("SECRETLESS_IT_PG_HOST");
  }

  static int port() {
    return Integer.parseInt(env("SECRETLESS_IT_PG_PORT"));
  }

  static String tlsDir() {
    return env("SECRETLESS_IT_TLS_DIR");
  }

  /** Literal credentials for a service named {@code name} listening on {@code listen}. */
  static ServiceConfig service(String name, ListenAddress listen, Map<String, String> credentials) {
    return service(name, listen, credentials, ConfigTree.empty(Position.unknown("test.yml")));
  }

  static ServiceConfig service(
      String name, ListenAddress listen, Map<String, String> credentials, ConfigTree config) {
    Position at = new Position("test.yml", 1, 1);
    Map<String, CredentialRef> refs = new LinkedHashMap<>();
    credentials.forEach((k, v) -> refs.put(k, new CredentialRef.Literal(Secret.of(v), at)));
    return new ServiceConfig(name, "pg", listen, refs, config, Map.of(), List.of(), at);
  }

  /** Credentials of one of the test users: kind is SCRAM, MD5, CLEARTEXT, SSL_ONLY, TRUST. */
  static Map<String, String> user(String kind, String sslmode) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("host", host());
    c.put("port", String.valueOf(port()));
    c.put("username", env("SECRETLESS_IT_PG_" + kind + "_USER"));
    if (!kind.equals("TRUST")) {
      c.put("password", env("SECRETLESS_IT_PG_" + kind + "_PASSWORD"));
    }
    c.put("sslmode", sslmode);
    if (sslmode.startsWith("verify")) {
      c.put("sslrootcert", tlsDir() + "/ca.crt");
    }
    return c;
  }
}
