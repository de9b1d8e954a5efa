package io.secretless.credentials.oauth2;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.secretless.config.OAuth2Authentication;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.credentials.CredentialException;
import io.secretless.credentials.CredentialResolver;
import io.secretless.credentials.Credentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's OAuth2 access token (client-credentials grant), cached, renewed before it expires,
 * and fetched by one request however many callers ask at once.
 *
 * <p>Life of a token issued at {@code t} with lifetime {@code L} (the response's {@code
 * expires_in}, or {@link OAuth2Settings#defaultLifetime()} when absent) and skew {@code S} (at most
 * {@code L/2}): handed out from the cache until {@code t+L-S} ("stale"); refreshed in the
 * background at {@code t+0.8(L-S)}; after it is stale, the next caller triggers a fetch. While the
 * endpoint fails (after retries with exponential backoff and jitter, or while the circuit breaker
 * is open) a token that has not actually expired ({@code < t+L}) keeps being served; with none,
 * {@link #token()} fails with a {@link CredentialException} naming the service and the endpoint.
 *
 * <p>Blocking requests run on the given executor (virtual threads), never on the caller's thread.
 * Nothing here logs a token or the client secret.
 */
public final class OAuth2TokenSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OAuth2TokenSource.class);

  private final OAuth2Settings settings;
  private final TokenEndpoint endpoint;
  private final Executor blocking;
  private final Clock clock;
  private final CircuitBreaker breaker;
  private final Supplier<TokenEndpoint.Issued> resilientFetch;
  private final Object lock = new Object();
  private volatile OAuth2Token cached;
  private CompletableFuture<OAuth2Token> inflight; // guarded by lock
  private volatile boolean closed;
  private volatile String lastFailure = "";

  public OAuth2TokenSource(
      OAuth2Settings settings, TokenEndpoint endpoint, Executor blocking, Clock clock) {
    this.settings = settings;
    this.endpoint = endpoint;
    this.blocking = blocking;
    this.clock = clock;
    this.breaker =
        CircuitBreaker.of(
            "oauth2-" + settings.service(),
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    Retry retry =
        Retry.of(
            "oauth2-" + settings.service(),
            RetryConfig.custom()
                .maxAttempts(Math.max(1, settings.maxAttempts()))
                .intervalFunction(
                    IntervalFunction.ofExponentialRandomBackoff(
                        settings.retryBackoff().isZero()
                            ? Duration.ofMillis(1)
                            : settings.retryBackoff(),
                        2.0,
                        0.5))
                .retryOnException(
                    e -> e instanceof TokenEndpointException t ? t.retryable() : false)
                .ignoreExceptions(CallNotPermittedException.class)
                .build());
    this.resilientFetch =
        Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, endpoint::fetch));
  }

  public OAuth2TokenSource(OAuth2Settings settings, TokenEndpoint endpoint, Executor blocking) {
    this(settings, endpoint, blocking, Clock.systemUTC());
  }

  /**
   * The token source of {@code service}'s first {@code authentication: oauth2} block, its client
   * secret resolved through the credential providers on every token request.
   */
  public static OAuth2TokenSource forService(ServiceConfig service, Executor blocking) {
    OAuth2Authentication auth = service.authentication().get(0);
    OAuth2Settings settings = OAuth2Settings.of(service.name(), auth);
    ServiceConfig secretOnly =
        new ServiceConfig(
            service.name(),
            service.connector(),
            service.listenOn(),
            Map.of("client_secret", auth.clientSecret()),
            service.config(),
            Map.of(),
            List.of(),
            auth.position());
    CredentialResolver resolver = CredentialResolver.discover();
    Supplier<Secret> secret =
        () -> {
          try (Credentials c = resolver.resolve(secretOnly)) {
            return Secret.of(c.require("client_secret").reveal());
          }
        };
    return new OAuth2TokenSource(settings, new NimbusTokenEndpoint(settings, secret), blocking);
  }

  public OAuth2Settings settings() {
    return settings;
  }

  /** The circuit breaker's state, for readiness and metrics. */
  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  /**
   * A token that is not stale: completes at once from the cache, or after the (single) in-flight
   * request. Completes on the executor's thread when it had to wait: continue on your event loop.
   */
  public CompletableFuture<OAuth2Token> token() {
    OAuth2Token t = cached;
    if (t != null && clock.instant().isBefore(t.staleAt())) {
      return CompletableFuture.completedFuture(t);
    }
    return fetch().exceptionallyCompose(this::fallback);
  }

  /** The cached token, stale or not, if any (no request). */
  public java.util.Optional<OAuth2Token> cached() {
    return java.util.Optional.ofNullable(cached);
  }

  /**
   * The upstream rejected {@code token} (HTTP 401): forget it, so that the next {@link #token()}
   * fetches a new one. A token that was already replaced is left alone.
   */
  public void invalidate(OAuth2Token token) {
    synchronized (lock) {
      if (cached == token) {
        cached = null;
      }
    }
  }

  private CompletableFuture<OAuth2Token> fallback(Throwable failure) {
    OAuth2Token t = cached;
    if (t != null && clock.instant().isBefore(t.expiresAt())) {
      return CompletableFuture.completedFuture(t);
    }
    return CompletableFuture.failedFuture(
        new CredentialException(
            settings.naming().prefix()
                + "no valid OAuth2 access token: "
                + describe(unwrap(failure))));
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private String describe(Throwable cause) {
    if (cause instanceof CallNotPermittedException) {
      return "token endpoint "
          + endpoint.describe()
          + " is failing, circuit breaker open: not calling it for a while"
          + (lastFailure.isEmpty() ? "" : " (last failure: " + lastFailure + ")");
    }
    if (cause instanceof TokenEndpointException e) {
      return e.getMessage();
    }
    return "token endpoint "
        + endpoint.describe()
        + " failed ("
        + cause.getClass().getSimpleName()
        + ")";
  }

  /** Single flight: every caller during a request shares its future. */
  private CompletableFuture<OAuth2Token> fetch() {
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new CredentialException(settings.naming().prefix() + "token source closed"));
      }
      if (inflight != null) {
        return inflight;
      }
      CompletableFuture<OAuth2Token> f =
          CompletableFuture.supplyAsync(this::request, blocking).whenComplete(this::store);
      if (!f.isDone()) {
        inflight = f;
      }
      return f;
    }
  }

  private OAuth2Token request() {
    Instant issued = clock.instant();
    TokenEndpoint.Issued answer;
    try {
      answer = resilientFetch.get();
    } catch (TokenEndpointException e) {
      lastFailure = e.getMessage();
      throw e;
    }
    Duration life = answer.expiresIn().orElse(settings.defaultLifetime());
    Duration skew = settings.expirySkew();
    if (skew.compareTo(life.dividedBy(2)) > 0) {
      skew = life.dividedBy(2);
    }
    Duration cachedLife = life.minus(skew);
    long refreshMillis = (long) (cachedLife.toMillis() * settings.refreshAheadFraction());
    return new OAuth2Token(
        answer.accessToken(),
        issued,
        issued.plus(life),
        issued.plus(cachedLife),
        issued.plusMillis(refreshMillis),
        answer.expiresIn().isPresent());
  }

  private void store(OAuth2Token token, Throwable failure) {
    synchronized (lock) {
      inflight = null;
      if (token != null) {
        // The replaced token is not zeroed: connections may still be rendering it.
        cached = token;
      }
    }
    if (token != null) {
      scheduleRefresh(token);
    } else {
      log.warn(
          "service {}: OAuth2 token request failed: {}",
          settings.service(),
          describe(unwrap(failure)));
    }
  }

  private void scheduleRefresh(OAuth2Token token) {
    long delay = Duration.between(clock.instant(), token.refreshAt()).toMillis();
    Executor later =
        CompletableFuture.delayedExecutor(Math.max(0, delay), TimeUnit.MILLISECONDS, blocking);
    later.execute(
        () -> {
          if (!closed && cached == token) {
            fetch();
          }
        });
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      OAuth2Token t = cached;
      cached = null;
      if (t != null) {
        t.value().destroy();
      }
    }
  }
}
