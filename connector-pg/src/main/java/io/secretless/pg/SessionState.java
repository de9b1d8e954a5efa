package io.secretless.pg;

/**
 * What the broker knows about a relayed session from the message headers it saw pass, enough to
 * tell whether the backend may be reset and reused: every request the client sent (Query, Sync,
 * FunctionCall) has had its ReadyForQuery, the last one said idle, no extended-protocol message is
 * waiting for a Sync, and nothing unexpected went by. The client's scanner runs on the client's
 * event loop, the backend's on the backend's, which differ when the pool lent a backend of another
 * loop: the methods are synchronized (uncontended, so a few atomic operations per message).
 */
final class SessionState {
  private int pending;
  private char status = 'I';
  private boolean unsynced;
  private volatile boolean broken;

  /** A Query, Sync or FunctionCall went to the backend: a ReadyForQuery will answer it. */
  synchronized void requestSent() {
    pending++;
  }

  /** Parse, Bind, Describe, Execute, Close or Flush: pending until the next Sync. */
  synchronized void extendedMessage() {
    unsynced = true;
  }

  synchronized void synced() {
    unsynced = false;
  }

  synchronized void readyForQuery(char newStatus) {
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
  synchronized boolean idle() {
    return !broken && pending == 0 && !unsynced && status == 'I';
  }

  @Override
  public synchronized String toString() {
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
