package io.secretless.broker;

import io.secretless.config.ListenAddress;
import io.secretless.connector.Connector;
import io.secretless.credentials.CredentialResolver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * How to run the broker.
 *
 * @param adminAddress where /live, /ready and /metrics listen; empty to disable
 * @param shutdownGrace how long open connections may finish after a stop request
 * @param eventLoopThreads I/O threads (default: available processors)
 * @param resolver where credentials come from
 * @param connectors the protocols available (default: every connector on the class path)
 */
public record BrokerOptions(
    Optional<ListenAddress.Tcp> adminAddress,
    Duration shutdownGrace,
    int eventLoopThreads,
    CredentialResolver resolver,
    List<Connector> connectors) {

  public static final ListenAddress.Tcp DEFAULT_ADMIN = new ListenAddress.Tcp("127.0.0.1", 5335);

  /** Admin on 127.0.0.1:5335, 30 s grace, discovered connectors and providers. */
  public static BrokerOptions defaults() {
    return new BrokerOptions(
        Optional.of(DEFAULT_ADMIN),
        Duration.ofSeconds(30),
        Runtime.getRuntime().availableProcessors(),
        CredentialResolver.discover(),
        ServiceLoader.load(Connector.class).stream().map(ServiceLoader.Provider::get).toList());
  }

  public BrokerOptions withAdminAddress(Optional<ListenAddress.Tcp> address) {
    return new BrokerOptions(address, shutdownGrace, eventLoopThreads, resolver, connectors);
  }

  public BrokerOptions withShutdownGrace(Duration grace) {
    return new BrokerOptions(adminAddress, grace, eventLoopThreads, resolver, connectors);
  }

  public BrokerOptions withResolver(CredentialResolver r) {
    return new BrokerOptions(adminAddress, shutdownGrace, eventLoopThreads, r, connectors);
  }

  public BrokerOptions withConnectors(List<Connector> list) {
    return new BrokerOptions(adminAddress, shutdownGrace, eventLoopThreads, resolver, list);
  }
}
