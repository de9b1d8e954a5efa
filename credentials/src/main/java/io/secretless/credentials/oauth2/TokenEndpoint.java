package io.secretless.credentials.oauth2;

import io.secretless.core.Secret;
import java.time.Duration;
import java.util.Optional;

/** One blocking client-credentials request to a token endpoint. Called off the event loop. */
public interface TokenEndpoint {
  /**
   * Requests a token. Throws {@link TokenEndpointException} (retryable or not) with a message that
   * names the endpoint and the cause but never the client secret.
   */
  Issued fetch();

  /** The endpoint's answer: the token and its {@code expires_in}, when the server sent one. */
  record Issued(Secret accessToken, Optional<Duration> expiresIn) {}

  /** Where the endpoint is, for messages. */
  String describe();
}
