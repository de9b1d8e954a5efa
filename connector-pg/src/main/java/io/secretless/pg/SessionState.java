package io.secretless.pg;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the broker knows about a relayed session from the message headers it saw pass, enough to
 * tell whether the backend may be reset and reused: every request the client sent (Query, Sync,
 * FunctionCall) has had its ReadyForQuery, the last one said idle, no extended-protocol message is
 * waiting for a Sync, and nothing unexpected went by. The two scanners may run on different event
 * loops (a backend reused across loops): the status is written before the pending count drops, so a
 * reader that sees no request pending sees the status of the last answer.
 */
final class SessionState {
  private final AtomicInteger pending = new AtomicInteger();
  private volatile char status = 'I';
  private volatile boolean unsynced;
  private volatile boolean broken;

  /** A Query, Sync or FunctionCall went to the backend: a ReadyForQuery will answer it. */
  void requestSent() {
    pending.incrementAndGet();
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
    if (pending.decrementAndGet() < 0) {
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
    return !broken && pending.get() == 0 && !unsynced && status == 'I';
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
