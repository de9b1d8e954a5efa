package io.secretless.connector;

/** Why a connection failed; the value of the {@code reason} label on failure metrics. */
public enum FailureReason {
  /** A credential could not be fetched or was invalid. */
  CREDENTIALS,
  /** The backend could not be reached (refused, unreachable, DNS, connect timeout). */
  BACKEND_UNREACHABLE,
  /** The backend rejected the credentials. */
  BACKEND_AUTH,
  /** The backend said something we did not understand, or TLS toward it failed. */
  BACKEND_PROTOCOL,
  /** The client sent something malformed or unsupported. */
  CLIENT_PROTOCOL,
  /** The client is not allowed to use this service. */
  CLIENT_REFUSED,
  /** The service's {@code maxConnections} was reached. */
  LIMIT,
  /** The handshake did not finish in time. */
  TIMEOUT,
  /** A bug in the broker. */
  INTERNAL;

  /** The metric label value, e.g. {@code backend_auth}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
