package io.secretless.http;

import java.util.Map;
import java.util.Set;

/** {@code basic_auth}: {@code Authorization: Basic base64(username:password)} (RFC 7617). */
public final class BasicAuthConnector extends HttpConnector {
  @Override
  public String name() {
    return "basic_auth";
  }

  @Override
  public Set<String> aliases() {
    return Set.of("http/basic_auth");
  }

  @Override
  Map<String, String> defaultHeaders() {
    return Map.of("Authorization", "Basic {{ printf \"%s:%s\" .username .password | base64 }}");
  }

  @Override
  Set<String> requiredCredentials() {
    return Set.of("username", "password");
  }
}
