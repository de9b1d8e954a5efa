package io.secretless.pg;

import io.secretless.core.Secret;
import io.secretless.pg.message.PasswordMessage;
import java.util.Arrays;

/**
 * Answers {@code AuthenticationCleartextPassword} ({@code password} in pg_hba.conf): the password
 * itself. Only sensible over TLS; the backend chose it, the broker obeys as libpq does.
 */
final class CleartextPasswordAuth {
  private CleartextPasswordAuth() {}

  static PasswordMessage respond(Secret password) {
    byte[] bytes = password.reveal();
    try {
      return new PasswordMessage(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
