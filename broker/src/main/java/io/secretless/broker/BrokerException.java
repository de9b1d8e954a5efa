package io.secretless.broker;

import io.secretless.core.SecretlessException;

/** The broker cannot start or serve as configured. */
public final class BrokerException extends SecretlessException {
  public BrokerException(String message) {
    super(message);
  }

  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
