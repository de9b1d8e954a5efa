package io.secretless.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Jazzer fuzz target: arbitrary bytes fed to the loader only ever succeed or throw {@link
 * ConfigException}. Under plain JUnit it replays the seeds in {@code ConfigLoaderFuzzTestInputs/};
 * run {@code JAZZER_FUZZ=1 mvn test -Dtest=ConfigLoaderFuzzTest} to fuzz.
 */
class ConfigLoaderFuzzTest {
  private static final Map<String, String> ENV =
      Map.of("ORDERS_DB_PASSWORD", "pw", "ACI_TOKEN_URL", "https://t/x", "A", "1");

  @FuzzTest(maxDuration = "60s")
  void loaderOnlyEverThrowsConfigException(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    try {
      ConfigLoader.parse(yaml, "fuzz.yml", ENV);
    } catch (ConfigException e) {
      if (e.errors().isEmpty()) {
        throw new AssertionError("ConfigException without errors", e);
      }
    }
  }
}
