package io.secretless.credentials;

import io.secretless.core.SecretlessException;

/** A credential could not be produced. The message never contains a secret value. */
public final class CredentialException extends SecretlessException {
  public CredentialException(String message) {
    super(message);
  }

  public CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
