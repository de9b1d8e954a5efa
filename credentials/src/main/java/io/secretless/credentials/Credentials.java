package io.secretless.credentials;

import io.secretless.core.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resolved credentials of one service for one connection. Close it when the backend handshake
 * is done: every value is zeroed. {@link #toString()} lists names only.
 */
public final class Credentials implements AutoCloseable {
  private final String service;
  private final Map<String, Secret> values;

  public Credentials(String service, Map<String, Secret> values) {
    this.service = service;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public String service() {
    return service;
  }

  public Set<String> names() {
    return values.keySet();
  }

  public Optional<Secret> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** The value, or a {@link CredentialException} naming the service and the missing credential. */
  public Secret require(String name) {
    Secret s = values.get(name);
    if (s == null) {
      throw new CredentialException(
          "service " + service + ": credential '" + name + "' is required but not configured");
    }
    return s;
  }

  /**
   * A non-secret setting carried as a credential (host, port, sslmode, username) as text. Do not
   * use for passwords or keys: Strings cannot be zeroed.
   */
  public Optional<String> text(String name) {
    return get(name).map(s -> new String(s.reveal(), StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    values.values().forEach(Secret::destroy);
  }

  @Override
  public String toString() {
    return "Credentials[service=" + service + ", names=" + values.keySet() + "]";
  }
}
