package io.secretless.connector;

import io.secretless.core.SecretlessException;

/** A connector cannot serve a service as configured. */
public final class ConnectorException extends SecretlessException {
  public ConnectorException(String message) {
    super(message);
  }

  public ConnectorException(String message, Throwable cause) {
    super(message, cause);
  }
}
