package io.secretless.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.CacheStats;
import io.secretless.credentials.CredentialResolver;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

/**
 * The broker's Prometheus metrics. Labels are service names, provider names and fixed reasons or
 * events only, never anything a client or a credential supplies (no credential name or id).
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

  /**
   * The value cache meters of every provider of {@code resolver} that caches values now (call it
   * after {@link CredentialResolver#checkSettings}, which creates the warehouse provider's cache):
   * {@code secretless_credential_cache_total{provider,event}}, {@code
   * secretless_credential_cache_entries{provider}} and, when the provider pushes rotations, {@code
   * secretless_credential_push_connected{provider}}. Each scrape reads the provider's counts anew.
   */
  void credentialCaches(CredentialResolver resolver) {
    resolver
        .cacheStats()
        .forEach(
            (provider, atStart) -> {
              cacheEvent(resolver, provider, "hit", CacheStats::hits);
              cacheEvent(resolver, provider, "fetch", CacheStats::fetches);
              cacheEvent(resolver, provider, "refresh", CacheStats::refreshes);
              cacheEvent(resolver, provider, "refresh_failed", CacheStats::refreshFailures);
              cacheEvent(resolver, provider, "refused", CacheStats::refused);
              cacheEvent(resolver, provider, "invalidated", CacheStats::invalidated);
              cacheEvent(resolver, provider, "pushed", CacheStats::pushed);
              Gauge.builder(
                      "secretless.credential.cache.entries",
                      resolver,
                      r -> read(r, provider, CacheStats::entries))
                  .description("Credential values the provider's cache holds now")
                  .tag("provider", provider)
                  .register(registry);
              if (atStart.push() != CacheStats.Push.OFF) {
                Gauge.builder(
                        "secretless.credential.push.connected",
                        resolver,
                        r -> read(r, provider, s -> s.push() == CacheStats.Push.CONNECTED ? 1 : 0))
                    .description(
                        "1 while the provider's change feed answers (push of rotations works)")
                    .tag("provider", provider)
                    .register(registry);
              }
            });
  }

  private void cacheEvent(
      CredentialResolver resolver,
      String provider,
      String event,
      ToLongFunction<CacheStats> count) {
    FunctionCounter.builder("secretless.credential.cache", resolver, r -> read(r, provider, count))
        .description(
            "Credential cache events: hit, fetch (a connection waited), refresh (background"
                + " re-fetch started), refresh_failed (store down, value kept), refused, invalidated"
                + " (a backend refused the value), pushed (the change feed reported a change)")
        .tags("provider", provider, "event", event)
        .register(registry);
  }

  private static double read(
      CredentialResolver resolver, String provider, ToLongFunction<CacheStats> count) {
    return resolver.cacheStats(provider).map(count::applyAsLong).orElse(0L);
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
