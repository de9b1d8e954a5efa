package io.secretless.warehouse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.warehouse.WarehouseException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeedQueryTest {
  private static FeedQuery parse(String after, String wait) {
    return FeedQuery.parse(Optional.ofNullable(after), Optional.ofNullable(wait));
  }

  @Test
  void withoutParametersItAsksForTheStartingPointWithoutWaiting() {
    assertThat(parse(null, null)).isEqualTo(new FeedQuery(OptionalLong.empty(), Duration.ZERO));
  }

  @Test
  void afterIsAWholeNumberIncludingZero() {
    assertThat(parse("0", null).after()).hasValue(0);
    assertThat(parse("123456789012", null).after()).hasValue(123456789012L);
  }

  @Test
  void waitTakesSecondsMillisecondsMinutesOrABareNumberOfSeconds() {
    assertThat(parse("1", "30s").waitFor()).isEqualTo(Duration.ofSeconds(30));
    assertThat(parse("1", "500ms").waitFor()).isEqualTo(Duration.ofMillis(500));
    assertThat(parse("1", "1m").waitFor()).isEqualTo(Duration.ofMinutes(1));
    assertThat(parse("1", "45").waitFor()).isEqualTo(Duration.ofSeconds(45));
    assertThat(parse("1", "0").waitFor()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "1.5", "abc", "9999999999999999999", " 1", "0x10", "\u0661"})
  void aBadAfterIsA400NamingTheParameter(String after) {
    assertThatThrownBy(() -> parse(after, null))
        .isInstanceOf(WarehouseException.class)
        .hasMessageStartingWith("after must be an audit seq")
        .extracting(e -> ((WarehouseException) e).code().status())
        .isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "61s", "2m", "60001ms", "-1s", "1h", "30 s", "soon", "1234567s"})
  void aBadOrTooLongWaitIsA400SayingTheLimit(String wait) {
    assertThatThrownBy(() -> parse("1", wait))
        .isInstanceOf(WarehouseException.class)
        .hasMessageStartingWith("wait must be a duration of at most 60s")
        .extracting(e -> ((WarehouseException) e).code().status())
        .isEqualTo(400);
  }

  @Test
  void aLongBadValueIsClippedInTheMessage() {
    assertThatThrownBy(() -> parse("x".repeat(500), null))
        .hasMessageContaining("x".repeat(40) + "...")
        .hasMessageNotContaining("x".repeat(41));
  }
}
