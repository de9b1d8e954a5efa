package io.secretless.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.secretless.connector.FailureReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker's Prometheus metrics. Labels are service names and fixed reasons only, never anything
 * a client or a credential supplies.
 */
final class BrokerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  PrometheusMeterRegistry registry() {
    return registry;
  }

  String scrape() {
    return registry.scrape();
  }

  /** The meters of one service, created once when its listener is set up. */
  ServiceMeters service(String name, AtomicInteger active, java.util.function.BooleanSupplier up) {
    Gauge.builder("secretless.connections.active", active, AtomicInteger::get)
        .description("Client connections open now")
        .tag("service", name)
        .register(registry);
    Gauge.builder("secretless.listener.up", () -> up.getAsBoolean() ? 1 : 0)
        .description("1 when the service's listener is bound")
        .tag("service", name)
        .register(registry);
    Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
    for (FailureReason reason : FailureReason.values()) {
      failures.put(
          reason,
          Counter.builder("secretless.connections.failed")
              .description("Client connections that ended in an error, by reason")
              .tags("service", name, "reason", reason.label())
              .register(registry));
    }
    return new ServiceMeters(
        Counter.builder("secretless.connections.accepted")
            .description("Client connections accepted")
            .tag("service", name)
            .register(registry),
        failures,
        Timer.builder("secretless.handshake")
            .description("Time from accept until the backend is authenticated and relaying")
            .tag("service", name)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry),
        bytes(name, "client_to_backend"),
        bytes(name, "backend_to_client"));
  }

  private Counter bytes(String service, String direction) {
    return Counter.builder("secretless.relay.bytes")
        .description("Bytes relayed")
        .baseUnit("bytes")
        .tags("service", service, "direction", direction)
        .register(registry);
  }

  record ServiceMeters(
      Counter accepted,
      Map<FailureReason, Counter> failed,
      Timer handshake,
      Counter clientToBackend,
      Counter backendToClient) {}
}
