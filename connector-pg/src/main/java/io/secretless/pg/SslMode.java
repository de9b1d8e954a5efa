package io.secretless.pg;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code sslmode} credential: how the broker secures its connection to the backend. Default
 * {@link #REQUIRE}, as CyberArk Secretless. Like libpq, {@code require} with an {@code sslrootcert}
 * verifies the chain as {@code verify-ca} does.
 */
enum SslMode {
  /** Plain TCP. */
  DISABLE,
  /** TLS, certificate not verified (unless sslrootcert is given). */
  REQUIRE,
  /** TLS, certificate chain verified against sslrootcert (or the JVM's trust store). */
  VERIFY_CA,
  /** As verify-ca, and the certificate must name sslhost (or host). */
  VERIFY_FULL;

  static Optional<SslMode> parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "disable" -> Optional.of(DISABLE);
      case "require" -> Optional.of(REQUIRE);
      case "verify-ca" -> Optional.of(VERIFY_CA);
      case "verify-full" -> Optional.of(VERIFY_FULL);
      default -> Optional.empty();
    };
  }

  String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
