package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectorCatalogTest {
  @Test
  void aliasesFindTheirConnector() {
    assertThat(ConnectorCatalog.find("postgresql")).get().extracting(e -> e.name()).isEqualTo("pg");
    assertThat(ConnectorCatalog.find("PG")).isPresent();
    assertThat(ConnectorCatalog.find("redis")).isEmpty();
  }

  @Test
  void requiredCredentialGroupsAcceptAnyAlternative() {
    ConnectorCatalog.Entry pg = ConnectorCatalog.find("pg").orElseThrow();

    assertThat(pg.missing(Set.of("address", "username"))).isEmpty();
    assertThat(pg.missing(Set.of("password"))).containsExactly("host or address", "username");
  }

  @Test
  void onlyHttpConnectorsShareListeners() {
    assertThat(ConnectorCatalog.httpConnectors())
        .containsExactly("aws", "basic_auth", "conjur", "generic_http", "oauth1");
    assertThat(ConnectorCatalog.sharesListener("pg")).isFalse();
    assertThat(ConnectorCatalog.sharesListener("unknown")).isFalse();
  }
}
