package io.secretless.pg;

import io.secretless.broker.Broker;
import io.secretless.broker.BrokerOptions;
import io.secretless.config.BrokerConfig;
import io.secretless.config.ListenAddress;
import io.secretless.config.ServiceConfig;
import io.secretless.credentials.CredentialProvider;
import io.secretless.credentials.CredentialResolver;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real broker core serving services for a test, admin listener off. */
final class TestBroker implements AutoCloseable {
  private final Broker broker;
  private final String service;

  private TestBroker(Broker broker, String service) {
    this.broker = broker;
    this.service = service;
  }

  static TestBroker start(ServiceConfig service, CredentialProvider... providers) {
    return start(BrokerOptions.defaults().eventLoopThreads(), service, providers);
  }

  /** With {@code eventLoops} I/O threads: clients are spread over them round-robin. */
  static TestBroker start(int eventLoops, ServiceConfig service, CredentialProvider... providers) {
    BrokerOptions d = BrokerOptions.defaults();
    BrokerOptions options =
        new BrokerOptions(
            Optional.empty(), d.shutdownGrace(), eventLoops, d.resolver(), d.connectors());
    if (providers.length > 0) {
      options = options.withResolver(new CredentialResolver(List.of(providers)));
    }
    return new TestBroker(
        Broker.start(new BrokerConfig(Path.of("test.yml"), List.of(service), List.of()), options),
        service.name());
  }

  ListenAddress address() {
    return broker.address(service);
  }

  int port() {
    return ((ListenAddress.Tcp) address()).port();
  }

  /** The {@code secretless_connections_failed} count for {@code reason} (e.g. client_protocol). */
  double failures(String reason) {
    Matcher m =
        Pattern.compile("(?m)^secretless_connections_failed_total\\{([^}]*)\\} (\\S+)$")
            .matcher(broker.scrapeMetrics());
    double total = 0;
    while (m.find()) {
      if (m.group(1).contains("reason=\"" + reason + "\"")
          && m.group(1).contains("service=\"" + service + "\"")) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  /** Every failure of the service, whatever the reason. */
  double failures() {
    double total = 0;
    for (var reason : io.secretless.connector.FailureReason.values()) {
      total += failures(reason.label());
    }
    return total;
  }

  String metrics() {
    return broker.scrapeMetrics();
  }

  @Override
  public void close() {
    broker.close();
  }
}
