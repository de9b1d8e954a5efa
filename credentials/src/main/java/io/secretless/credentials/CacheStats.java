package io.secretless.credentials;

/**
 * What a caching provider's value cache did since it was created, read at one moment: counts only,
 * never a credential name, id or value (the broker turns them into metrics with fixed labels).
 *
 * @param hits values served from the cache without waiting, on a virtual thread or the event loop
 * @param fetches gets that waited for a fetch: the value was missing or expired (a get that waited
 *     for another's fetch of the same value counts too)
 * @param refreshes background re-fetches started because a served value was past its refresh age
 * @param refreshFailures background re-fetches that failed for want of the store (unreachable,
 *     timed out, 5xx): the old value kept serving
 * @param refused values dropped because a re-fetch was refused (revoked, deleted, expired)
 * @param invalidated values dropped because a backend refused them (the connection retries once)
 * @param pushed values dropped because the change feed reported their credential changed
 * @param entries values held now (expired ones included until a fetch sweeps them)
 * @param push whether rotations are pushed, and whether the change feed answers now
 */
public record CacheStats(
    long hits,
    long fetches,
    long refreshes,
    long refreshFailures,
    long refused,
    long invalidated,
    long pushed,
    long entries,
    Push push) {

  /** Push of rotations: off, or on and the change feed answering now or not. */
  public enum Push {
    /** The provider does not watch a change feed. */
    OFF,
    /** The last poll of the change feed was answered with a page of changes. */
    CONNECTED,
    /** No answer yet, or an outage, a refused poll, no feed at the warehouse, or stopped. */
    DISCONNECTED
  }
}
