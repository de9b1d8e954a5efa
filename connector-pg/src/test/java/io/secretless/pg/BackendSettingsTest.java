package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.connector.FailureReason;
import io.secretless.core.Secret;
import io.secretless.credentials.Credentials;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendSettingsTest {
  private static Credentials creds(String... pairs) {
    Map<String, Secret> values = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], Secret.of(pairs[i + 1]));
    }
    return new Credentials("pg-app", values);
  }

  @Test
  void readsHostPortUserAndDefaultsSslmodeToRequire() {
    var s =
        BackendSettings.from(
            creds("host", "db", "port", "6543", "username", "app", "password", "pw"));
    assertThat(s.host()).isEqualTo("db");
    assertThat(s.port()).isEqualTo(6543);
    assertThat(s.username()).isEqualTo("app");
    assertThat(s.password()).isPresent();
    assertThat(s.sslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(s.startupParameters()).isEmpty();
    assertThat(s.address()).isEqualTo("db:6543");
  }

  @Test
  void portDefaultsTo5432AndAddressSplitsHostAndPort() {
    assertThat(BackendSettings.from(creds("host", "db", "username", "u")).port()).isEqualTo(5432);
    var s = BackendSettings.from(creds("address", "[::1]:7000", "username", "u"));
    assertThat(s.host()).isEqualTo("::1");
    assertThat(s.port()).isEqualTo(7000);
    assertThat(s.address()).isEqualTo("[::1]:7000");
  }

  @Test
  void otherCredentialsBecomeStartupParametersWithDbnameAsDatabase() {
    var s =
        BackendSettings.from(
            creds("host", "h", "username", "u", "dbname", "appdb", "application_name", "x"));
    assertThat(s.startupParameters())
        .containsEntry("database", "appdb")
        .containsEntry("application_name", "x")
        .hasSize(2);
  }

  @Test
  void parsesEverySslmodeAndRejectsOthers() {
    for (String mode : new String[] {"disable", "require", "verify-ca", "verify-full"}) {
      assertThat(
              BackendSettings.from(creds("host", "h", "username", "u", "sslmode", mode))
                  .sslMode()
                  .text())
          .isEqualTo(mode);
    }
    assertThatThrownBy(
            () -> BackendSettings.from(creds("host", "h", "username", "u", "sslmode", "prefer")))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("'sslmode' is 'prefer'")
        .satisfies(
            e -> assertThat(((PgException) e).reason()).isEqualTo(FailureReason.CREDENTIALS));
  }

  @Test
  void reportsMissingOrInvalidValuesWithoutSecrets() {
    assertThatThrownBy(() -> BackendSettings.from(creds("username", "u", "password", "Canary-1")))
        .hasMessageContaining("'host'")
        .hasMessageNotContaining("Canary-1");
    assertThatThrownBy(() -> BackendSettings.from(creds("host", "h")))
        .hasMessageContaining("'username'");
    assertThatThrownBy(
            () -> BackendSettings.from(creds("host", "h", "username", "u", "port", "70000")))
        .hasMessageContaining("'port' is '70000'");
    assertThatThrownBy(
            () -> BackendSettings.from(creds("host", "h", "username", "u", "sslcert", "x")))
        .hasMessageContaining("'sslcert' and 'sslkey' go together");
  }
}
