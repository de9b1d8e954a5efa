package io.secretless.http;

import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ListenAddress;
import io.secretless.config.OAuth2Authentication;
import io.secretless.config.Position;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds ServiceConfig records as the config loader would, with positions in "test.yml". */
final class TestServices {
  private TestServices() {}

  static Position at(int line) {
    return new Position("test.yml", line, 7);
  }

  /** A config tree; nested maps become trees, key i sits on line 10+i. */
  @SuppressWarnings("unchecked")
  static ConfigTree tree(Map<String, Object> values) {
    Map<String, Object> v = new LinkedHashMap<>();
    Map<String, Position> pos = new LinkedHashMap<>();
    int line = 10;
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Object value = e.getValue();
      if (value instanceof Map<?, ?> m) {
        value = tree((Map<String, Object>) m);
      }
      v.put(e.getKey(), value);
      pos.put(e.getKey(), at(line++));
    }
    return new ConfigTree(v, pos, at(9));
  }

  static ServiceConfig service(
      String name, String connector, Map<String, String> credentials, Map<String, Object> config) {
    return service(name, connector, credentials, config, List.of());
  }

  static ServiceConfig service(
      String name,
      String connector,
      Map<String, String> credentials,
      Map<String, Object> config,
      List<OAuth2Authentication> auth) {
    Map<String, CredentialRef> creds = new LinkedHashMap<>();
    credentials.forEach((k, val) -> creds.put(k, new CredentialRef.Literal(Secret.of(val), at(5))));
    return serviceWithRefs(name, connector, creds, config, auth);
  }

  /** A service whose credentials are given as references ({@code from: PROVIDER}, say). */
  static ServiceConfig serviceWithRefs(
      String name,
      String connector,
      Map<String, CredentialRef> creds,
      Map<String, Object> config,
      List<OAuth2Authentication> auth) {
    return new ServiceConfig(
        name,
        connector,
        ListenAddress.parse("tcp://127.0.0.1:0"),
        creds,
        tree(config),
        Map.of(),
        auth,
        at(2));
  }

  static OAuth2Authentication oauth2(String tokenUrl, String clientId, String secret) {
    return new OAuth2Authentication(
        tokenUrl,
        clientId,
        new CredentialRef.Literal(Secret.of(secret), at(30)),
        Optional.of("agent:execute"),
        "client_secret_basic",
        tree(Map.of("retry_backoff_millis", "10")),
        at(28));
  }
}
