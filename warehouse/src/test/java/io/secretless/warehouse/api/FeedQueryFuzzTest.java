package io.secretless.warehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretless.warehouse.ChangeFeed;
import io.secretless.warehouse.WarehouseException;
import java.util.Optional;

/**
 * Fuzz target for the change feed's query ({@code after}, {@code wait}): any input parses to a
 * non-negative cursor and a wait within the limit, or is refused with a 400, never another
 * exception. Runs its seeds as a regular test; {@code JAZZER_FUZZ=1} fuzzes.
 */
class FeedQueryFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void anyQueryParsesWithinTheLimitsOrIsA400(FuzzedDataProvider data) {
    Optional<String> after =
        data.consumeBoolean() ? Optional.of(data.consumeString(24)) : Optional.empty();
    Optional<String> wait = Optional.of(data.consumeRemainingAsString());
    try {
      FeedQuery q = FeedQuery.parse(after, wait);
      assertThat(q.waitFor().isNegative()).isFalse();
      assertThat(q.waitFor()).isLessThanOrEqualTo(ChangeFeed.MAX_WAIT);
      q.after().ifPresent(a -> assertThat(a).isNotNegative());
    } catch (WarehouseException e) {
      assertThat(e.code().status()).isEqualTo(400);
    }
  }
}
