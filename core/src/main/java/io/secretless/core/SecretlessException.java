package io.secretless.core;

/**
 * Base of every exception Secretless throws on purpose. Messages are written for the person running
 * the broker and never contain secret values; each module has its own subclass.
 */
public class SecretlessException extends RuntimeException {
  public SecretlessException(String message) {
    super(message);
  }

  public SecretlessException(String message, Throwable cause) {
    super(message, cause);
  }
}
