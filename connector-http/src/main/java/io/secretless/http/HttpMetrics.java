package io.secretless.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code secretless.http.requests{service, outcome}}: forwarded, upstream_error, upstream_timeout,
 * credentials_error, token_retry (a 401 answered with a new OAuth2 token and a retry),
 * credential_retry (a 401, or a 403 on an aws service, answered with credentials fetched anew past
 * a cache and a retry; a retry that renews both counts under both), refused; service "unmatched"
 * counts requests no service takes (refused, or forwarded without credentials by opt-in), CONNECT
 * and malformed requests. Counters are created when the listener opens; counting is a lock-free
 * add.
 */
final class HttpMetrics {
  enum Outcome {
    FORWARDED,
    UPSTREAM_ERROR,
    UPSTREAM_TIMEOUT,
    CREDENTIALS_ERROR,
    TOKEN_RETRY,
    CREDENTIAL_RETRY,
    REFUSED
  }

  private static final String UNMATCHED = "unmatched";
  private final Map<String, Counter[]> byService = new HashMap<>();

  HttpMetrics(MeterRegistry registry, List<String> services) {
    for (String s : new java.util.LinkedHashSet<>(concat(services, UNMATCHED))) {
      Counter[] counters = new Counter[Outcome.values().length];
      for (Outcome o : Outcome.values()) {
        counters[o.ordinal()] = counter(registry, s, o);
      }
      byService.put(s, counters);
    }
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.add(b);
    return out;
  }

  private static Counter counter(MeterRegistry registry, String service, Outcome o) {
    return Counter.builder("secretless.http.requests")
        .description("HTTP requests through the broker, by service and outcome")
        .tags("service", service, "outcome", o.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry);
  }

  void count(BoundRoute route, Outcome outcome) {
    Counter[] c = byService.get(route == null ? UNMATCHED : route.name());
    c[outcome.ordinal()].increment();
  }
}
