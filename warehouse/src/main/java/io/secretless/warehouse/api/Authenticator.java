package io.secretless.warehouse.api;

import io.secretless.warehouse.Caller;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.audit.AuditEvent;
import io.secretless.warehouse.audit.AuditLog;
import io.secretless.warehouse.token.TokenVerifier;

/** Turns a request's bearer token into a {@link Caller}; audits and refuses any other request. */
final class Authenticator {
  private final TokenVerifier verifier;
  private final AuditLog audit;

  Authenticator(TokenVerifier verifier, AuditLog audit) {
    this.verifier = verifier;
    this.audit = audit;
  }

  Caller caller(Exchange ex, String action) {
    String header = ex.header("Authorization").orElse(null);
    String source = ex.ip();
    try {
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new WarehouseException(
            ErrorCode.UNAUTHORIZED, "missing bearer token: send Authorization: Bearer <token>");
      }
      var verified = verifier.verify(header.substring(7).strip());
      return new Caller(verified.subject(), verified.roles(), source, ex.userAgent());
    } catch (WarehouseException e) {
      audit.record(
          new AuditEvent(
              "-", action, "*", AuditEvent.Outcome.DENIED, e.getMessage(), source, ex.userAgent()));
      throw e;
    }
  }
}
