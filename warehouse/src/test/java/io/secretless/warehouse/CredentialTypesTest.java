package io.secretless.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CredentialTypesTest {
  @Test
  void builtInTypesCarryTheirDefaults() {
    var types = CredentialTypes.builtIn();
    assertThat(types.all()).hasSize(7);
    var db = types.find("database_connection").orElseThrow();
    assertThat(db.requiredFields()).containsExactly("host", "username", "password", "database");
    assertThat(db.rotationInterval()).isEqualTo(Duration.ofDays(30));
    assertThat(types.find("domain_registrar").orElseThrow().rotationInterval())
        .isEqualTo(Duration.ofDays(365));
    assertThat(types.find("payment_processor").orElseThrow().defaultTags())
        .containsExactly("payment", "financial");
  }

  @Test
  void validationNamesEveryMissingFieldAndUnknownTypes() {
    var types = CredentialTypes.builtIn();
    assertThatThrownBy(() -> types.validate("social_media_api", Set.of("platform")))
        .hasMessageContaining("[access_token, refresh_token]");
    assertThatThrownBy(() -> types.validate("nope", Set.of()))
        .hasMessageContaining("unknown credential type 'nope'");
    assertThat(types.validate("github_deploy_token", Set.of("token", "repository", "extra")).name())
        .isEqualTo("github_deploy_token");
  }

  @Test
  void configuredTypesAreAddedOrReplaceBuiltIns() {
    var types =
        CredentialTypes.withExtra(
            List.of(
                new CredentialType(
                    "ssh_key", List.of("private_key"), Duration.ofDays(120), List.of("ssh"))));
    assertThat(types.find("ssh_key")).isPresent();
    assertThat(types.all()).hasSize(8);
  }
}
