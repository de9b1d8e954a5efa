package io.secretless.warehouse.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.core.Secret;
import org.junit.jupiter.api.Test;

class SecretHasherTest {
  private final SecretHasher hasher = new SecretHasher();

  @Test
  void matchesOnlyTheHashedSecretAndNeverStoresIt() {
    String encoded = hasher.hash(Secret.of("s3cret-Canary"));
    assertThat(encoded).startsWith("argon2id$").doesNotContain("s3cret");
    assertThat(hasher.matches(Secret.of("s3cret-Canary"), encoded)).isTrue();
    assertThat(hasher.matches(Secret.of("s3cret-canary"), encoded)).isFalse();
    assertThat(hasher.hash(Secret.of("s3cret-Canary"))).isNotEqualTo(encoded);
  }

  @Test
  void malformedEncodingsNeverMatch() {
    assertThat(hasher.matches(Secret.of("x"), "")).isFalse();
    assertThat(hasher.matches(Secret.of("x"), "argon2id$1$1$1$!!$!!")).isFalse();
    assertThat(hasher.matches(Secret.of("x"), "bcrypt$a$b$c$d$e")).isFalse();
  }
}
