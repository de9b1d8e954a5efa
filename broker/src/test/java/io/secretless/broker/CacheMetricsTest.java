package io.secretless.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretless.config.ListenAddress;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.credentials.CacheStats;
import io.secretless.credentials.CredentialProvider;
import io.secretless.credentials.CredentialResolver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The credential cache series on the admin {@code /metrics}, for stand-in providers: one that
 * caches (its counts set by the test) and one that does not. The real warehouse cache's counting is
 * in credentials' ValueCacheCountsTest.
 */
class CacheMetricsTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Broker broker;

  /**
   * A caching stand-in whose cache, like the warehouse provider's, exists once its settings are.
   */
  private static final class CachingStandIn implements CredentialProvider {
    private final String name;
    private final CacheStats.Push push;
    private volatile CacheStats stats; // null until checkSettings

    CachingStandIn(String name, CacheStats.Push push) {
      this.name = name;
      this.push = push;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Secret get(String id) {
      return Secret.of("5432");
    }

    @Override
    public void checkSettings() {
      stats = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, push);
    }

    @Override
    public Optional<CacheStats> cacheStats() {
      return Optional.ofNullable(stats);
    }
  }

  /** A stand-in that caches nothing: the SPI's default cacheStats. */
  private static final class PlainStandIn implements CredentialProvider {
    @Override
    public String name() {
      return "plain-stand-in";
    }

    @Override
    public Secret get(String id) {
      return Secret.of("5432");
    }
  }

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private String metrics() throws Exception {
    ListenAddress.Tcp a = broker.adminAddress().orElseThrow();
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private void start(CredentialProvider... providers) {
    ServiceConfig cached =
        Fixtures.withPortFrom(
            Fixtures.tcpService("cached", Fixtures.anyPort(), 1), providers[0].name(), "PORT");
    ServiceConfig plain =
        Fixtures.withPortFrom(
            Fixtures.tcpService("plain", Fixtures.anyPort(), 1), "plain-stand-in", "PORT");
    broker =
        Broker.start(
            Fixtures.config(cached, plain),
            Fixtures.options().withResolver(new CredentialResolver(List.of(providers))));
  }

  @Test
  void aCachingProvidersCountsAppearOnMetricsAndEachScrapeReadsThemAnew() throws Exception {
    CachingStandIn caching = new CachingStandIn("cache-stand-in", CacheStats.Push.DISCONNECTED);
    start(caching, new PlainStandIn());

    String before = metrics();
    assertThat(before)
        .contains(
            "secretless_credential_cache_total{event=\"hit\",provider=\"cache-stand-in\"} 0.0",
            "secretless_credential_cache_entries{provider=\"cache-stand-in\"} 0.0",
            "secretless_credential_push_connected{provider=\"cache-stand-in\"} 0.0")
        .doesNotContain("plain-stand-in");

    caching.stats = new CacheStats(11, 2, 3, 4, 5, 6, 7, 8, CacheStats.Push.CONNECTED);
    assertThat(metrics())
        .contains(
            "secretless_credential_cache_total{event=\"hit\",provider=\"cache-stand-in\"} 11.0",
            "secretless_credential_cache_total{event=\"fetch\",provider=\"cache-stand-in\"} 2.0",
            "secretless_credential_cache_total{event=\"refresh\",provider=\"cache-stand-in\"} 3.0",
            "secretless_credential_cache_total{event=\"refresh_failed\",provider=\"cache-stand-in\"}"
                + " 4.0",
            "secretless_credential_cache_total{event=\"refused\",provider=\"cache-stand-in\"} 5.0",
            "secretless_credential_cache_total{event=\"invalidated\",provider=\"cache-stand-in\"}"
                + " 6.0",
            "secretless_credential_cache_total{event=\"pushed\",provider=\"cache-stand-in\"} 7.0",
            "secretless_credential_cache_entries{provider=\"cache-stand-in\"} 8.0",
            "secretless_credential_push_connected{provider=\"cache-stand-in\"} 1.0");
  }

  @Test
  void aCacheWithoutPushHasNoPushSeriesAndAProviderThatCachesNothingHasNone() throws Exception {
    start(new CachingStandIn("cache-stand-in", CacheStats.Push.OFF), new PlainStandIn());

    assertThat(metrics())
        .contains(
            "secretless_credential_cache_total{event=\"hit\",provider=\"cache-stand-in\"} 0.0")
        .doesNotContain("secretless_credential_push_connected")
        .doesNotContain("plain-stand-in");
  }
}
