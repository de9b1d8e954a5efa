package io.secretless.warehouse.api;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretless.warehouse.WarehouseException;
import java.time.Instant;

/**
 * Fuzz target for the API's JSON request parsing: any input either parses or is refused with a
 * {@link WarehouseException} (a 400), never another exception. Runs its seeds as a regular test;
 * {@code JAZZER_FUZZ=1} fuzzes.
 */
class RequestBodyFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void anyInputParsesOrIsRefusedCleanly(FuzzedDataProvider data) {
    String field = data.consumeString(16);
    String body = data.consumeRemainingAsString();
    try {
      RequestBody parsed = RequestBody.parse(body);
      touch(() -> parsed.text(field));
      touch(() -> parsed.strings(field));
      touch(() -> parsed.fields(field));
      touch(() -> parsed.integer(field));
      touch(() -> parsed.expiry(Instant.EPOCH));
    } catch (WarehouseException expected) {
      // refused with a 400: fine
    }
  }

  private static void touch(Runnable access) {
    try {
      access.run();
    } catch (WarehouseException expected) {
      // a typed refusal is the contract
    }
  }
}
