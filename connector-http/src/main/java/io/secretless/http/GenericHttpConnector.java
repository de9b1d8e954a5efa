package io.secretless.http;

import java.util.Map;
import java.util.Set;

/** {@code generic_http}: headers and query parameters from templates, nothing else. */
public final class GenericHttpConnector extends HttpConnector {
  @Override
  public String name() {
    return "generic_http";
  }

  @Override
  public Set<String> aliases() {
    return Set.of("http/generic");
  }

  @Override
  Map<String, String> defaultHeaders() {
    return Map.of();
  }
}
