package io.secretless.warehouse;

import io.secretless.core.SecretlessException;

/**
 * Every failure the warehouse reports on purpose. The {@link ErrorCode} decides the HTTP status and
 * the machine-readable code; the message is for the person reading it and never holds a secret.
 */
public final class WarehouseException extends SecretlessException {
  private final ErrorCode code;

  public WarehouseException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public WarehouseException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static WarehouseException badRequest(String message) {
    return new WarehouseException(ErrorCode.BAD_REQUEST, message);
  }

  public static WarehouseException notFound(String message) {
    return new WarehouseException(ErrorCode.NOT_FOUND, message);
  }

  public static WarehouseException forbidden(String message) {
    return new WarehouseException(ErrorCode.FORBIDDEN, message);
  }

  public static WarehouseException conflict(String message) {
    return new WarehouseException(ErrorCode.CONFLICT, message);
  }

  /** The closed set of error kinds, each with its HTTP status and wire code. */
  public enum ErrorCode {
    BAD_REQUEST(400, "bad_request"),
    MISSING_FIELDS(400, "missing_fields"),
    UNAUTHORIZED(401, "unauthorized"),
    FORBIDDEN(403, "forbidden"),
    NOT_FOUND(404, "not_found"),
    CONFLICT(409, "conflict"),
    VERSION_MISMATCH(409, "version_mismatch"),
    EXPIRED(410, "credential_expired"),
    TOO_LARGE(413, "request_too_large"),
    INTEGRITY(500, "integrity_error"),
    INTERNAL(500, "internal_error"),
    AUDIT_UNAVAILABLE(503, "audit_unavailable"),
    STORE_UNAVAILABLE(503, "store_unavailable");

    private final int status;
    private final String wire;

    ErrorCode(int status, String wire) {
      this.status = status;
      this.wire = wire;
    }

    public int status() {
      return status;
    }

    public String wire() {
      return wire;
    }
  }
}
