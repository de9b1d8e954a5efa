package io.secretless.broker;

import io.secretless.config.BrokerConfig;
import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.ListenAddress;
import io.secretless.config.Position;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.credentials.CredentialResolver;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds configs in code, so broker tests do not depend on the loader. */
final class Fixtures {
  private Fixtures() {}

  static final Position HERE = new Position("test.yml", 1, 1);

  static ServiceConfig tcpService(String name, ListenAddress listen, int backendPort) {
    return service(name, listen, backendPort, Map.of());
  }

  static ServiceConfig service(
      String name, ListenAddress listen, int backendPort, Map<String, Object> config) {
    Map<String, CredentialRef> creds = new LinkedHashMap<>();
    creds.put("host", new CredentialRef.Literal(Secret.of("127.0.0.1"), HERE));
    creds.put("port", new CredentialRef.Literal(Secret.of(Integer.toString(backendPort)), HERE));
    return new ServiceConfig(
        name,
        "tcp-test",
        listen,
        creds,
        new ConfigTree(config, Map.of(), HERE),
        Map.of(),
        List.of(),
        HERE);
  }

  /** {@code s} with its {@code port} credential taken {@code from: provider, get: id}. */
  static ServiceConfig withPortFrom(ServiceConfig s, String provider, String id) {
    Map<String, CredentialRef> creds = new LinkedHashMap<>(s.credentials());
    creds.put("port", new CredentialRef.FromProvider(provider, id, HERE));
    return new ServiceConfig(
        s.name(),
        s.connector(),
        s.listenOn(),
        creds,
        s.config(),
        s.credentialValidations(),
        s.authentication(),
        s.position());
  }

  static BrokerConfig config(ServiceConfig... services) {
    return new BrokerConfig(Path.of("test.yml"), List.of(services), List.of());
  }

  static BrokerOptions options() {
    return BrokerOptions.defaults()
        .withAdminAddress(Optional.of(new ListenAddress.Tcp("127.0.0.1", 0)))
        .withConnectors(List.of(new TcpTestConnector()))
        .withResolver(CredentialResolver.discover());
  }

  static ListenAddress.Tcp anyPort() {
    return new ListenAddress.Tcp("127.0.0.1", 0);
  }
}
