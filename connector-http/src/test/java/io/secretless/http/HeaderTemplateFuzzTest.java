package io.secretless.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Jazzer fuzz target: any text given to the template compiler compiles and renders, or fails with
 * {@link HeaderTemplate.TemplateSyntaxException}. Under plain JUnit it replays the seeds in {@code
 * HeaderTemplateFuzzTestInputs/}; {@code JAZZER_FUZZ=1 mvn test -Dtest=HeaderTemplateFuzzTest}
 * fuzzes.
 */
class HeaderTemplateFuzzTest {
  private static final Map<String, String> VALUES = Map.of("username", "u", "password", "p");

  @FuzzTest(maxDuration = "30s")
  void templateParserOnlyEverThrowsSyntaxErrors(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      HeaderTemplate t = HeaderTemplate.compile(text);
      t.render(VALUES::get);
    } catch (HeaderTemplate.TemplateSyntaxException expected) {
      // a clear error is the only acceptable failure
    }
  }
}
