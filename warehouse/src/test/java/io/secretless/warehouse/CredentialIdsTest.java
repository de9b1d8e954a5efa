package io.secretless.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CredentialIdsTest {
  @Test
  void idsAreVersion7UuidsWithTheTimeInFront() {
    Instant now = Instant.parse("2026-12-01T11:30:00.123Z");
    UUID id = UUID.fromString(CredentialIds.next(now));
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(now.toEpochMilli());
  }

  @Test
  void laterIdsSortLaterAndIdsDoNotRepeat() {
    Instant t = Instant.parse("2026-12-01T11:30:00Z");
    var seen = new HashSet<String>();
    String previous = "";
    for (int i = 0; i < 1_000; i++) {
      String id = CredentialIds.next(t.plusMillis(i));
      assertThat(id).isGreaterThan(previous);
      assertThat(seen.add(id)).isTrue();
      previous = id;
    }
    for (int i = 0; i < 1_000; i++) {
      assertThat(seen.add(CredentialIds.next(t))).isTrue(); // the same millisecond
    }
  }
}
