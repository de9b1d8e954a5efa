package io.secretless.warehouse;

import io.secretless.warehouse.WarehouseException.ErrorCode;
import io.secretless.warehouse.audit.AuditEvent;
import io.secretless.warehouse.audit.AuditEvent.Outcome;
import io.secretless.warehouse.audit.AuditLog;
import io.secretless.warehouse.store.Database;

/**
 * Writes the one audit record of each warehouse call. Successful changes append their record inside
 * the change's own transaction; refusals are recorded in a transaction of their own before the
 * refusal is thrown. Either way a record that cannot be written turns the call into a 503.
 */
final class Auditor {
  private final Database db;
  private final AuditLog audit;

  Auditor(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  AuditEvent event(
      Caller caller, String action, String credentialId, Outcome outcome, String reason) {
    return new AuditEvent(
        caller.agentId(),
        action,
        credentialId,
        outcome,
        reason,
        caller.source(),
        caller.userAgent());
  }

  /** Records an event in its own transaction (fails closed with AUDIT_UNAVAILABLE). */
  void record(Caller caller, String action, String credentialId, Outcome outcome, String reason) {
    audit.record(event(caller, action, credentialId, outcome, reason));
  }

  /** Records the refusal {@code e} and returns it for the caller to throw. */
  WarehouseException refuse(
      Caller caller, String action, String credentialId, Outcome outcome, WarehouseException e) {
    record(caller, action, credentialId, outcome, e.getMessage());
    return e;
  }

  /** A refusal found inside a transaction: thrown there, rolled back, then recorded by write. */
  RuntimeException refuseLater(String action, ErrorCode code, String message) {
    return new Deferred(new WarehouseException(code, message));
  }

  /**
   * Runs {@code work} as one write transaction (whose success record the work appends itself); a
   * refusal raised with {@link #refuseLater} is recorded after the rollback and rethrown.
   */
  <T> T write(Caller caller, String action, String credentialId, Database.Work<T> work) {
    try {
      return db.write(work);
    } catch (Deferred d) {
      throw refuse(caller, action, credentialId, outcomeOf(d.refusal.code()), d.refusal);
    } catch (WarehouseException e) {
      if (e.code() == ErrorCode.STORE_UNAVAILABLE) {
        throw new WarehouseException(
            ErrorCode.AUDIT_UNAVAILABLE,
            action + " refused: its audit record could not be written (" + e.getMessage() + ")",
            e);
      }
      throw e;
    }
  }

  private static Outcome outcomeOf(ErrorCode code) {
    return switch (code) {
      case CONFLICT, VERSION_MISMATCH -> Outcome.CONFLICT;
      case NOT_FOUND -> Outcome.NOT_FOUND;
      case FORBIDDEN -> Outcome.DENIED;
      default -> Outcome.INVALID;
    };
  }

  private static final class Deferred extends RuntimeException {
    final WarehouseException refusal;

    Deferred(WarehouseException refusal) {
      super(refusal.getMessage(), null, false, false);
      this.refusal = refusal;
    }
  }
}
