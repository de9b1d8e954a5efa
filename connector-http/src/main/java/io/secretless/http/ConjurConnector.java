package io.secretless.http;

import java.util.Map;
import java.util.Set;

/**
 * {@code conjur}: the Conjur API's {@code Authorization: Token token="base64(accessToken)"}, with
 * {@code accessToken} the JSON access token Conjur issued.
 */
public final class ConjurConnector extends HttpConnector {
  @Override
  public String name() {
    return "conjur";
  }

  @Override
  public Set<String> aliases() {
    return Set.of("http/conjur");
  }

  @Override
  Map<String, String> defaultHeaders() {
    return Map.of("Authorization", "Token token=\"{{ base64 .accessToken }}\"");
  }

  @Override
  Set<String> requiredCredentials() {
    return Set.of("accessToken");
  }
}
