package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.config.ConfigError;
import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import io.secretless.config.Position;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolSettingsTest {
  private static final Position AT = new Position("s.yml", 4, 5);
  private static final Position KEY = new Position("s.yml", 6, 7);

  private static ConfigTree config(Object pool) {
    return new ConfigTree(Map.of("pool", pool), Map.of("pool", AT), AT);
  }

  @Test
  void poolingIsOnWithDefaultsWhenNotConfigured() {
    PoolSettings s = PoolSettings.from(ConfigTree.empty(AT));
    assertThat(s).isEqualTo(PoolSettings.DEFAULT);
    assertThat(s.enabled()).isTrue();
    assertThat(s.maxIdle()).isEqualTo(20);
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
    assertThat(s.resetQuery()).isEqualTo("DISCARD ALL");
  }

  @Test
  void poolFalseTurnsPoolingOffAndTrueKeepsTheDefaults() {
    assertThat(PoolSettings.from(config(false)).enabled()).isFalse();
    assertThat(PoolSettings.from(config(true))).isEqualTo(PoolSettings.DEFAULT);
  }

  @Test
  void aMappingOverridesEachSetting() {
    ConfigTree pool =
        new ConfigTree(
            Map.of(
                "maxIdle",
                5L,
                "idleTimeout",
                "10s",
                "maxLifetime",
                "1h",
                "resetQuery",
                "RESET ALL"),
            Map.of(),
            AT);
    assertThat(PoolSettings.from(config(pool)))
        .isEqualTo(
            new PoolSettings(true, 5, Duration.ofSeconds(10), Duration.ofHours(1), "RESET ALL"));
  }

  @Test
  void badValuesAreErrorsAtTheirPositions() {
    ConfigTree pool =
        new ConfigTree(
            Map.of("maxIdle", 0L, "idleTimeout", "soon", "resetQuery", " ", "maxIdel", 3L),
            Map.of("maxIdle", KEY, "maxIdel", new Position("s.yml", 8, 7)),
            AT);
    assertThat(PoolSettings.validate(config(pool)))
        .extracting(ConfigError::message)
        .anySatisfy(m -> assertThat(m).startsWith("unknown pg pool key 'maxIdel'"))
        .anySatisfy(m -> assertThat(m).startsWith("'idleTimeout' must be"))
        .anySatisfy(m -> assertThat(m).startsWith("pool maxIdle must be from 1 to 10000, got 0"));
    assertThatThrownBy(() -> PoolSettings.from(config(pool)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s.yml:6:7: pool maxIdle must be from 1");
    ConfigTree noReset = new ConfigTree(Map.of("resetQuery", " "), Map.of("resetQuery", KEY), AT);
    assertThat(PoolSettings.validate(config(noReset)))
        .extracting(ConfigError::toString)
        .containsExactly("s.yml:6:7: pool resetQuery must be a non-empty SQL statement");
  }

  @Test
  void aPoolThatIsNeitherBooleanNorMappingIsAnError() {
    assertThat(PoolSettings.validate(config("sometimes")))
        .extracting(ConfigError::toString)
        .containsExactly(
            "s.yml:4:5: 'pool' must be false, true or a mapping of maxIdle, idleTimeout,"
                + " maxLifetime, resetQuery");
  }
}
