package io.secretless.http;

import io.secretless.broker.Broker;
import io.secretless.broker.BrokerOptions;
import io.secretless.config.BrokerConfig;
import io.secretless.config.ListenAddress;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.Connector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The real broker ({@link Broker#start}) serving the given HTTP services, all on one loopback
 * listener (they share it, as HTTP services may), without an admin listener.
 */
final class TestListener implements AutoCloseable {
  private final Broker broker;
  private final String first;

  TestListener(Connector connector, List<ServiceConfig> services) {
    int port = freePort();
    List<ServiceConfig> bound =
        services.stream()
            .map(
                s ->
                    new ServiceConfig(
                        s.name(),
                        s.connector(),
                        new ListenAddress.Tcp("127.0.0.1", port),
                        s.credentials(),
                        s.config(),
                        s.credentialValidations(),
                        s.authentication(),
                        s.position()))
            .toList();
    first = bound.getFirst().name();
    broker =
        Broker.start(
            new BrokerConfig(Path.of("test.yml"), bound, List.of()),
            BrokerOptions.defaults()
                .withAdminAddress(Optional.empty())
                .withShutdownGrace(Duration.ZERO));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return ((ListenAddress.Tcp) broker.address(first)).port();
  }

  /** The broker's Prometheus scrape. */
  String metrics() {
    return broker.scrapeMetrics();
  }

  @Override
  public void close() {
    broker.close();
  }
}
