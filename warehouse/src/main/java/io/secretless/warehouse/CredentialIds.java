package io.secretless.warehouse;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Credential ids: UUID version 7 (RFC 9562, section 5.7), a millisecond timestamp followed by 74
 * random bits. Ids made later sort later, so a new credential's rows go at the end of the id
 * indexes (credentials, credential_versions) instead of at a random place in them, which on SQLite
 * dirtied a page per index per stored credential. The time in an id is the credential's {@code
 * created_at}, which whoever can see the id can see anyway.
 */
final class CredentialIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private CredentialIds() {}

  static String next(Instant now) {
    long millis = now.toEpochMilli() & 0xFFFF_FFFF_FFFFL;
    long msb = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
    long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }
}
