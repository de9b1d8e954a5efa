package io.secretless.credentials.oauth2;

import io.secretless.core.SecretlessException;

/**
 * A token request failed. {@link #retryable()} tells transient failures (unreachable, 5xx, a body
 * that does not parse) from answers that will not change on retry (invalid_client, 4xx). The
 * message never contains the client secret or a token.
 */
public final class TokenEndpointException extends SecretlessException {
  private final boolean retryable;

  public TokenEndpointException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public TokenEndpointException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
