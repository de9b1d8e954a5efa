package io.secretless.bench;

import io.secretless.config.ConfigLoader;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.credentials.oauth2.OAuth2Settings;
import io.secretless.credentials.oauth2.OAuth2Token;
import io.secretless.credentials.oauth2.OAuth2TokenSource;
import io.secretless.credentials.oauth2.TokenEndpoint;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The token-cache hot path of the OAuth2 client-credentials source: what every proxied request of
 * an {@code authentication: - type: oauth2} service pays to get its access token while the cached
 * one is fresh. The token endpoint is an in-memory stand-in (this measures the cache, not HTTP); it
 * counts its calls, and the run fails if the cache ever asked it more than once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenCacheBenchmark {
  private static final String CONFIG =
      """
      version: "2"
      services:
        - name: agents
          connector: generic_http
          listenOn: tcp://127.0.0.1:0
          authentication:
            - type: oauth2
              config:
                token_url: https://auth.example.com/oauth2/token
                client_id: agents
                client_secret: not-used-by-the-stand-in
          config:
            headers:
              Authorization: "Bearer {{ .access_token }}"
      """;

  private final AtomicInteger fetches = new AtomicInteger();
  private ExecutorService blocking;
  private OAuth2TokenSource source;

  @Setup(Level.Trial)
  public void start() {
    ServiceConfig service = ConfigLoader.parse(CONFIG, "bench.yml", Map.of()).services().get(0);
    OAuth2Settings settings = OAuth2Settings.of(service.name(), service.authentication().get(0));
    TokenEndpoint endpoint =
        new TokenEndpoint() {
          @Override
          public Issued fetch() {
            fetches.incrementAndGet();
            return new Issued(
                Secret.of("token-for-the-benchmark"), Optional.of(Duration.ofDays(1)));
          }

          @Override
          public String describe() {
            return "in-memory stand-in";
          }
        };
    blocking = Executors.newVirtualThreadPerTaskExecutor();
    source = new OAuth2TokenSource(settings, endpoint, blocking);
    source.token().join();
  }

  @TearDown(Level.Trial)
  public void stop() {
    source.close();
    blocking.shutdownNow();
    if (fetches.get() != 1) {
      throw new IllegalStateException("the cache asked the endpoint " + fetches.get() + " times");
    }
  }

  /** One request's token look-up, on one thread. */
  @Benchmark
  public OAuth2Token cachedToken() {
    return source.token().join();
  }

  /** The same look-up from as many threads as a 4-loop broker has event loops. */
  @Benchmark
  @Threads(4)
  public OAuth2Token cachedTokenFourThreads() {
    return source.token().join();
  }
}
