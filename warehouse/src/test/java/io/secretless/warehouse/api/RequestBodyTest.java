package io.secretless.warehouse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.warehouse.WarehouseException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestBodyTest {
  @Test
  void readsTypedFields() {
    var body =
        RequestBody.parse(
            "{\"name\":\"n\",\"tags\":[\"a\",\"b\"],\"data\":{\"port\":5432,\"pw\":\"x\"},\"expected_version\":3}");
    assertThat(body.requiredText("name")).isEqualTo("n");
    assertThat(body.strings("tags")).containsExactly("a", "b");
    assertThat(body.fields("data")).containsEntry("port", "5432").containsEntry("pw", "x");
    assertThat(body.integer("expected_version")).contains(3);
    assertThat(body.text("type")).isEmpty();
  }

  @Test
  void rejectsNonObjectsAndWrongTypesWithNamedFields() {
    assertThatThrownBy(() -> RequestBody.parse("[1]")).hasMessageContaining("JSON object");
    assertThatThrownBy(() -> RequestBody.parse("{\"a\":"))
        .isInstanceOf(WarehouseException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> RequestBody.parse("").requiredText("x"))
        .hasMessageContaining("JSON object");
    var body =
        RequestBody.parse("{\"name\":1,\"tags\":\"x\",\"data\":{\"k\":{\"nested\":1}},\"v\":1.5}");
    assertThatThrownBy(() -> body.text("name")).hasMessageContaining("name must be a string");
    assertThatThrownBy(() -> body.strings("tags")).hasMessageContaining("tags must be an array");
    assertThatThrownBy(() -> body.fields("data")).hasMessageContaining("data.k must be a string");
    assertThatThrownBy(() -> body.integer("v")).hasMessageContaining("v must be an integer");
    assertThatThrownBy(() -> body.requiredText("missing"))
        .hasMessageContaining("missing is required");
  }

  @Test
  void expiryFromDaysOrInstantButNotBoth() {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");
    assertThat(RequestBody.parse("{\"expires_in_days\":2}").expiry(now))
        .contains(Instant.parse("2030-01-03T00:00:00Z"));
    assertThat(RequestBody.parse("{\"expires_at\":\"2031-01-01T00:00:00Z\"}").expiry(now))
        .contains(Instant.parse("2031-01-01T00:00:00Z"));
    assertThatThrownBy(() -> RequestBody.parse("{\"expires_at\":\"tomorrow\"}").expiry(now))
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(
            () ->
                RequestBody.parse("{\"expires_at\":\"2031-01-01T00:00:00Z\",\"expires_in_days\":1}")
                    .expiry(now))
        .hasMessageContaining("not both");
  }

  @Test
  void invalidJsonIsNamedByPositionWithoutQuotingTheBody() {
    assertThatThrownBy(() -> RequestBody.parse("{\"data\":{\"password\":hunter2-canary}}"))
        .isInstanceOf(WarehouseException.class)
        .hasMessageStartingWith("request body is not valid JSON at line 1, column ")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> RequestBody.parse("{\"password\":\"hunter2-canary"))
        .hasMessage("request body is not valid JSON: it ends too early");
  }
}
