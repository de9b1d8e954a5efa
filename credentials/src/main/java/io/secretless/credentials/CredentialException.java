package io.secretless.credentials;

import io.secretless.core.SecretlessException;

/** A credential could not be produced. The message never contains a secret value. */
public final class CredentialException extends SecretlessException {
  private final boolean refused;

  public CredentialException(String message) {
    this(message, null, false);
  }

  public CredentialException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private CredentialException(String message, Throwable cause, boolean refused) {
    super(message, cause);
    this.refused = refused;
  }

  /**
   * The store answered that the value is not to be had: not granted, deleted, expired, no such
   * field, the client itself refused. Unlike an outage (unreachable, timed out, 5xx), this is a
   * verdict: a cached copy must stop serving at once.
   */
  public static CredentialException refused(String message) {
    return new CredentialException(message, null, true);
  }

  /** Whether this is a {@linkplain #refused verdict of the store} rather than an outage. */
  public boolean refused() {
    return refused;
  }
}
