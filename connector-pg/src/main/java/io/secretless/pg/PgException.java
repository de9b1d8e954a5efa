package io.secretless.pg;

import io.secretless.connector.FailureReason;
import io.secretless.core.SecretlessException;

/**
 * A PostgreSQL connection could not be brokered. Carries the SQLSTATE the client receives in its
 * {@code ErrorResponse} and the {@link FailureReason} the broker counts. The message names the
 * cause (never a secret); the connector prefixes it with the service name.
 */
public final class PgException extends SecretlessException {
  /** SQLSTATE 08001: sqlclient_unable_to_establish_sqlconnection. */
  public static final String CANNOT_CONNECT = "08001";

  /** SQLSTATE 08P01: protocol_violation. */
  public static final String PROTOCOL_VIOLATION = "08P01";

  /** SQLSTATE 28000: invalid_authorization_specification. */
  public static final String INVALID_AUTHORIZATION = "28000";

  /** SQLSTATE 28P01: invalid_password. */
  public static final String INVALID_PASSWORD = "28P01";

  private final FailureReason reason;
  private final String sqlState;

  public PgException(FailureReason reason, String sqlState, String message) {
    super(message);
    this.reason = reason;
    this.sqlState = sqlState;
  }

  public PgException(FailureReason reason, String sqlState, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.sqlState = sqlState;
  }

  /** The client sent something that is not PostgreSQL protocol 3.0. */
  public static PgException clientProtocol(String message) {
    return new PgException(FailureReason.CLIENT_PROTOCOL, PROTOCOL_VIOLATION, message);
  }

  /** The backend sent something we did not understand. */
  public static PgException backendProtocol(String message) {
    return new PgException(FailureReason.BACKEND_PROTOCOL, PROTOCOL_VIOLATION, message);
  }

  /**
   * The PgException behind {@code cause} (unwrapping Netty's DecoderException and
   * CompletionException), or a new one with {@code fallback} naming the exception type.
   */
  public static PgException of(Throwable cause, FailureReason fallback) {
    Throwable c = cause;
    while ((c instanceof io.netty.handler.codec.DecoderException
            || c instanceof java.util.concurrent.CompletionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof PgException e) {
      return e;
    }
    if (c instanceof io.secretless.credentials.CredentialException) {
      return new PgException(FailureReason.CREDENTIALS, CANNOT_CONNECT, c.getMessage(), c);
    }
    String sqlState =
        switch (fallback) {
          case BACKEND_UNREACHABLE, BACKEND_PROTOCOL, CREDENTIALS -> CANNOT_CONNECT;
          default -> PROTOCOL_VIOLATION;
        };
    return new PgException(
        fallback, sqlState, c.getClass().getSimpleName() + ": " + c.getMessage(), c);
  }

  public FailureReason reason() {
    return reason;
  }

  public String sqlState() {
    return sqlState;
  }
}
