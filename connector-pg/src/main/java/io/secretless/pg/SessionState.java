package io.secretless.pg;

/**
 * What the broker knows about a relayed session from the message headers it saw pass, enough to
 * tell whether the backend may be reset and reused: every request the client sent (Query, Sync,
 * FunctionCall) has had its ReadyForQuery, the last one said idle, no extended-protocol message is
 * waiting for a Sync, and nothing unexpected went by. Client and backend channel share one event
 * loop, so both scanners run on it and plain fields do.
 */
final class SessionState {
  private int pending;
  private char status = 'I';
  private boolean unsynced;
  private boolean broken;

  /** A Query, Sync or FunctionCall went to the backend: a ReadyForQuery will answer it. */
  void requestSent() {
    pending++;
  }

  /** Parse, Bind, Describe, Execute, Close or Flush: pending until the next Sync. */
  void extendedMessage() {
    unsynced = true;
  }

  void synced() {
    unsynced = false;
  }

  void readyForQuery(char newStatus) {
    status = newStatus;
    if (--pending < 0) {
      broken = true; // a ReadyForQuery nobody asked for: we lost track
    }
  }

  /** Something we cannot follow (a malformed header, an unknown message): never reuse. */
  void broken() {
    broken = true;
  }

  boolean isBroken() {
    return broken;
  }

  /** Whether the backend is idle outside a transaction with nothing in flight. */
  boolean idle() {
    return !broken && pending == 0 && !unsynced && status == 'I';
  }

  @Override
  public String toString() {
    return "SessionState[pending="
        + pending
        + ", status="
        + status
        + ", unsynced="
        + unsynced
        + ", broken="
        + broken
        + "]";
  }
}
