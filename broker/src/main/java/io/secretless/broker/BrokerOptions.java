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
 * @param eventLoopThreads I/O threads, each an event loop (default: {@value #IO_THREADS} or half
 *     the available processors, at least one)
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

  /** The environment variable that sets {@link #eventLoopThreads}. */
  public static final String IO_THREADS = "SECRETLESS_IO_THREADS";

  private static final int MAX_IO_THREADS = 1024;

  /**
   * Admin on 127.0.0.1:5335, 30 s grace, {@value #IO_THREADS} or {@link #defaultIoThreads()} I/O
   * threads, discovered connectors and providers.
   *
   * @throws BrokerException when {@value #IO_THREADS} is not a thread count
   */
  public static BrokerOptions defaults() {
    return new BrokerOptions(
        Optional.of(DEFAULT_ADMIN),
        Duration.ofSeconds(30),
        ioThreads(Optional.ofNullable(System.getenv(IO_THREADS))),
        CredentialResolver.discover(),
        ServiceLoader.load(Connector.class).stream().map(ServiceLoader.Provider::get).toList());
  }

  /**
   * Half the available processors, at least one: a broker is usually a sidecar sharing the host
   * with the application and often the backend. On 2 cores one event loop served as many requests
   * as two at 6-37 % less CPU each and a lower p99 in most runs (docs/BENCHMARKS.md, "One I/O
   * thread or two").
   */
  static int defaultIoThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /** The I/O thread count {@code value} (of {@value #IO_THREADS}) asks for; empty: the default. */
  static int ioThreads(Optional<String> value) {
    String v = value.map(String::strip).orElse("");
    if (v.isEmpty()) {
      return defaultIoThreads();
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= MAX_IO_THREADS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below says what is wanted
    }
    throw new BrokerException(
        IO_THREADS
            + "="
            + v
            + " is not a thread count; use a whole number from 1 to "
            + MAX_IO_THREADS
            + " (or leave it unset for half the processors, here "
            + defaultIoThreads()
            + ")");
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
