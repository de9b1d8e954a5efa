package io.secretless.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
  private static final List<String> SERVICE_KEYS =
      List.of("connector", "listenOn", "credentials", "config", "authentication");

  @Test
  void knownMisspellingsWinOverEditDistance() {
    assertThat(DidYouMean.suggest("credentialPatterns", ConfigBlockReader.BROKER_KEYS))
        .contains("credentialValidations");
    assertThat(DidYouMean.suggest("protocol", SERVICE_KEYS)).contains("connector");
  }

  @Test
  void caseUnderscoresAndDashesAreIgnored() {
    assertThat(DidYouMean.suggest("listen_on", SERVICE_KEYS)).contains("listenOn");
    assertThat(DidYouMean.suggest("AuthenticateUrlsMatching", ConfigBlockReader.BROKER_KEYS))
        .contains("authenticateURLsMatching");
  }

  @Test
  void typosAndSwappedLettersAreCaughtWithinABudget() {
    assertThat(DidYouMean.suggest("crednetials", SERVICE_KEYS)).contains("credentials");
    assertThat(DidYouMean.suggest("evn", List.of("env", "file"))).contains("env");
    assertThat(DidYouMean.suggest("conifg", SERVICE_KEYS)).contains("config");
  }

  @Test
  void unrelatedWordsGetNoSuggestionButTheAllowedList() {
    assertThat(DidYouMean.suggest("timeout", SERVICE_KEYS)).isEmpty();
    assertThat(DidYouMean.unknown("key", "timeout", SERVICE_KEYS))
        .isEqualTo(
            "unknown key 'timeout'; expected one of: connector, listenOn, credentials, config,"
                + " authentication");
  }

  @Test
  void distanceCountsEditsAndGivesUpPastTheBudget() {
    assertThat(DidYouMean.distance("kitten", "sitting", 5)).isEqualTo(3);
    assertThat(DidYouMean.distance("ab", "ba", 2)).isEqualTo(1);
    assertThat(DidYouMean.distance("a", "abcdefgh", 2)).isEqualTo(3);
  }
}
