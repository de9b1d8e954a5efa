package io.secretless.broker;

import io.secretless.config.BrokerConfig;
import io.secretless.config.ConfigError;
import io.secretless.config.ConfigException;
import io.secretless.config.ListenAddress;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.Connector;
import io.secretless.connector.ConnectorContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: one listener per listen address, each handing connections to its connector,
 * plus the admin listener. {@link #start} returns once every listener has bound or failed to (a
 * failed one keeps retrying and keeps {@code /ready} at 503).
 */
public final class Broker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  private final BrokerOptions options;
  private final Transport transport;
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  private final BrokerMetrics metrics = new BrokerMetrics();
  private final List<ServiceListener> listeners = new ArrayList<>();
  private volatile boolean draining;
  private AdminServer admin;

  private Broker(BrokerOptions options, Optional<String> transport) {
    this.options = options;
    this.transport = new Transport(transport, options.eventLoopThreads());
  }

  /**
   * Starts serving {@code config}.
   *
   * @throws ConfigException when a service names a connector this build lacks or a connector
   *     rejects its config
   * @throws BrokerException when the admin listener cannot bind, or when the environment variable
   *     {@value Transport#ENV} names no transport
   * @throws io.secretless.credentials.CredentialException when a credential provider a service uses
   *     has bad settings (e.g. {@code from: warehouse} without client credentials)
   */
  public static Broker start(BrokerConfig config, BrokerOptions options) {
    return start(config, options, Optional.ofNullable(System.getenv(Transport.ENV)));
  }

  /** {@link #start(BrokerConfig, BrokerOptions)} on the transport {@code transport} names. */
  static Broker start(BrokerConfig config, BrokerOptions options, Optional<String> transport) {
    Map<String, Connector> connectors = byName(options.connectors());
    Map<Object, List<ServiceConfig>> groups = group(config, connectors);
    options.resolver().checkSettings(config.services());
    Broker broker = new Broker(options, transport);
    try {
      // After checkSettings, which creates the caches whose counts these meters read.
      broker.metrics.credentialCaches(options.resolver());
      broker.open(groups, connectors);
      options
          .adminAddress()
          .ifPresent(
              a ->
                  broker.admin =
                      new AdminServer(
                          a, broker.transport, broker::readiness, broker.metrics::scrape));
      broker.listeners.forEach(ServiceListener::bind);
      return broker;
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  /** What every available connector's {@link Connector#validate} says about its services. */
  public static List<ConfigError> validate(BrokerConfig config, List<Connector> available) {
    Map<String, Connector> connectors = byName(available);
    List<ConfigError> errors = new ArrayList<>();
    for (ServiceConfig s : config.services()) {
      Connector c = connectors.get(s.connector());
      if (c != null) {
        errors.addAll(c.validate(s));
      }
    }
    return errors;
  }

  /** Services whose connector this build lacks (valid config, but the broker cannot serve them). */
  public static List<ConfigError> unavailable(BrokerConfig config, List<Connector> available) {
    Map<String, Connector> connectors = byName(available);
    List<ConfigError> missing = new ArrayList<>();
    for (ServiceConfig s : config.services()) {
      if (!connectors.containsKey(s.connector())) {
        missing.add(
            new ConfigError(
                s.position(),
                "service "
                    + s.name()
                    + ": connector "
                    + s.connector()
                    + " is not available in this build (available: "
                    + String.join(", ", new TreeMap<>(connectors).keySet())
                    + ")"));
      }
    }
    return missing;
  }

  private static Map<String, Connector> byName(List<Connector> list) {
    Map<String, Connector> map = new LinkedHashMap<>();
    for (Connector c : list) {
      map.put(c.name(), c);
      c.aliases().forEach(a -> map.put(a, c));
    }
    return map;
  }

  private static Map<Object, List<ServiceConfig>> group(
      BrokerConfig config, Map<String, Connector> connectors) {
    List<Connector> available = List.copyOf(connectors.values());
    List<ConfigError> errors = new ArrayList<>(unavailable(config, available));
    errors.addAll(validate(config, available));
    Map<Object, List<ServiceConfig>> groups = new LinkedHashMap<>();
    for (ServiceConfig s : config.services()) {
      // Port 0 means "any free port": such services never share a listener.
      Object key =
          s.listenOn() instanceof ListenAddress.Tcp tcp && tcp.port() == 0
              ? s.name()
              : s.listenOn();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }
    for (List<ServiceConfig> shared : groups.values()) {
      if (shared.size() > 1) {
        for (ServiceConfig s : shared) {
          Connector c = connectors.get(s.connector());
          if (c != null && !c.sharesListener()) {
            errors.add(
                new ConfigError(
                    s.position(),
                    "service "
                        + s.name()
                        + ": listenOn "
                        + s.listenOn()
                        + " is also used by "
                        + shared.getFirst().name()
                        + "; only HTTP services can share a listener"));
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return groups;
  }

  private void open(Map<Object, List<ServiceConfig>> groups, Map<String, Connector> connectors) {
    var context = new ConnectorContext(metrics.registry(), blocking);
    for (List<ServiceConfig> services : groups.values()) {
      // Services sharing an address are all of the HTTP family: the first one's connector serves
      // them all (see Connector#sharesListener).
      Connector connector = connectors.get(services.getFirst().connector());
      listeners.add(
          new ServiceListener(
              List.copyOf(services),
              connector.open(List.copyOf(services), context),
              !connector.sharesListener(),
              transport.forAddress(services.getFirst().listenOn()),
              options.resolver(),
              blocking,
              metrics));
    }
  }

  /** The address a service actually listens on (port 0 resolved). */
  public ListenAddress address(String service) {
    return listeners.stream()
        .filter(l -> l.services().stream().anyMatch(s -> s.name().equals(service)))
        .findFirst()
        .map(ServiceListener::boundAddress)
        .orElseThrow(() -> new BrokerException("no service named " + service));
  }

  /** The event-loop transport in use: io_uring, epoll or nio. */
  String transportName() {
    return transport.name();
  }

  /** The admin listener's address, if enabled. */
  public Optional<ListenAddress.Tcp> adminAddress() {
    return Optional.ofNullable(admin).map(AdminServer::address);
  }

  /** True when every listener is bound and the broker is not shutting down. */
  public boolean ready() {
    return readiness().ready();
  }

  /**
   * Waits until {@link #ready()} or {@code timeout}; empty when ready, else the {@code /ready} body
   * saying which services are not.
   */
  public Optional<String> awaitReady(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    return ready() ? Optional.empty() : Optional.of(readiness().json().strip());
  }

  Readiness readiness() {
    Map<String, String> problems = new LinkedHashMap<>();
    for (ServiceListener l : listeners) {
      l.notReadyReason().ifPresent(r -> problems.put(l.name(), r));
    }
    return new Readiness(draining, problems);
  }

  /** Prometheus text of the broker's metrics. */
  public String scrapeMetrics() {
    return metrics.scrape();
  }

  /**
   * Graceful stop: stop accepting, let open connections finish for up to the grace period, then
   * close everything.
   */
  public void shutdown() {
    draining = true;
    listeners.forEach(ServiceListener::stopAccepting);
    long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
    int open = openConnections();
    if (open > 0) {
      log.info(
          "draining {} open connection(s) for up to {} s",
          open,
          options.shutdownGrace().toSeconds());
    }
    while (openConnections() > 0 && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (openConnections() > 0) {
      log.warn("grace period over: closing {} connection(s)", openConnections());
    }
    close();
  }

  /** The number of event loops (I/O threads) the broker's connections are spread over. */
  int eventLoops() {
    int n = 0;
    for (var loop : transport.group()) {
      n++;
    }
    return n;
  }

  private int openConnections() {
    return listeners.stream().mapToInt(ServiceListener::activeConnections).sum();
  }

  /** Immediate stop: every listener and connection is closed. */
  @Override
  public void close() {
    draining = true;
    listeners.forEach(ServiceListener::stopAccepting);
    listeners.forEach(ServiceListener::closeConnections);
    if (admin != null) {
      admin.close();
    }
    transport.close();
    blocking.shutdownNow();
    try {
      options.resolver().close(); // cached values zeroed, the change feed watcher stopped
    } catch (RuntimeException e) {
      log.warn("{}", e.getMessage());
    }
  }
}
