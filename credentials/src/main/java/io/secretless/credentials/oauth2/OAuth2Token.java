package io.secretless.credentials.oauth2;

import io.secretless.core.Secret;
import java.time.Instant;

/**
 * An access token and the instants that govern its use. {@link #toString()} never prints the value.
 *
 * @see OAuth2TokenSource for how {@link #staleAt()} and {@link #refreshAt()} are derived
 */
public final class OAuth2Token {
  private final Secret value;
  private final Instant issuedAt;
  private final Instant expiresAt;
  private final Instant staleAt;
  private final Instant refreshAt;
  private final boolean lifetimeFromServer;

  OAuth2Token(
      Secret value,
      Instant issuedAt,
      Instant expiresAt,
      Instant staleAt,
      Instant refreshAt,
      boolean lifetimeFromServer) {
    this.value = value;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
    this.staleAt = staleAt;
    this.refreshAt = refreshAt;
    this.lifetimeFromServer = lifetimeFromServer;
  }

  /** The token, for a header. Strings cannot be zeroed; the connector caches what it renders. */
  public String reveal() {
    return value.revealString();
  }

  public Secret value() {
    return value;
  }

  public Instant issuedAt() {
    return issuedAt;
  }

  /** When the server said it expires (or issuedAt plus the default lifetime). */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** From this instant on the token is no longer handed out unless the endpoint is failing. */
  public Instant staleAt() {
    return staleAt;
  }

  /** When the background refresh starts. */
  public Instant refreshAt() {
    return refreshAt;
  }

  /** False when the response had no {@code expires_in} and the default lifetime applied. */
  public boolean lifetimeFromServer() {
    return lifetimeFromServer;
  }

  @Override
  public String toString() {
    return "OAuth2Token[redacted, expiresAt=" + expiresAt + "]";
  }
}
