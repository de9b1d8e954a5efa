package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.core.Secret;
import io.secretless.credentials.Credentials;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The StartupMessage the broker sends to the backend, from the client's and the service's. */
class BackendLoginParametersTest {
  private static BackendSettings settings(String... pairs) {
    Map<String, Secret> values = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], Secret.of(pairs[i + 1]));
    }
    return BackendSettings.from(new Credentials("pg-app", values));
  }

  private static Map<String, String> client(String... pairs) {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      parameters.put(pairs[i], pairs[i + 1]);
    }
    return parameters;
  }

  @Test
  void credentialUserComesFirstAndTheClientsUserAndProtocolOptionsAreLeftOut() {
    var startup =
        BackendLogin.startupParameters(
            settings("host", "h", "username", "app"),
            client(
                "user",
                "intruder",
                "database",
                "benchdb",
                "_pq_.x",
                "y",
                "client_encoding",
                "UTF8"));
    assertThat(startup)
        .containsExactly(
            Map.entry("user", "app"),
            Map.entry("database", "benchdb"),
            Map.entry("client_encoding", "UTF8"));
  }

  @Test
  void credentialsDecideOverTheClientsParametersAndNeverReplaceTheUser() {
    var startup =
        BackendLogin.startupParameters(
            settings("host", "h", "username", "app", "dbname", "appdb", "user", "other"),
            client("database", "benchdb", "application_name", "pgbench"));
    assertThat(startup)
        .containsEntry("user", "app")
        .containsEntry("database", "appdb")
        .containsEntry("application_name", "pgbench")
        .hasSize(3);
  }
}
