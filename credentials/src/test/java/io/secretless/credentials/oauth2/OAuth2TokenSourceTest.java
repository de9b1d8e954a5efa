package io.secretless.credentials.oauth2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.secretless.config.ConfigException;
import io.secretless.config.ConfigTree;
import io.secretless.config.CredentialRef;
import io.secretless.config.OAuth2Authentication;
import io.secretless.config.Position;
import io.secretless.core.Secret;
import io.secretless.credentials.CredentialException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token source over real HTTP against a stand-in token endpoint (see {@link
 * StandInTokenServer}: a JDK HTTP server, not a third-party OAuth2 server).
 */
class OAuth2TokenSourceTest {
  static final String SECRET = "Client-Canary-31f0e";

  StandInTokenServer server;
  ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  MutableClock clock = new MutableClock();
  List<OAuth2TokenSource> sources = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new StandInTokenServer("agent-7", SECRET);
  }

  @AfterEach
  void stop() {
    sources.forEach(OAuth2TokenSource::close);
    server.close();
    blocking.shutdownNow();
  }

  OAuth2TokenSource source(String clientAuth, Map<String, String> options, boolean realClock) {
    Map<String, Object> values = new HashMap<>(options);
    values.putIfAbsent("retry_backoff_millis", "5");
    Map<String, Position> positions = new HashMap<>();
    values.keySet().forEach(k -> positions.put(k, new Position("t.yml", 3, 5)));
    ConfigTree config = new ConfigTree(values, positions, new Position("t.yml", 2, 5));
    var auth =
        new OAuth2Authentication(
            server.url(),
            "agent-7",
            new CredentialRef.Literal(Secret.of(SECRET), new Position("t.yml", 4, 5)),
            Optional.of("agent:execute blockchain:read"),
            clientAuth,
            config,
            new Position("t.yml", 1, 1));
    OAuth2Settings settings = OAuth2Settings.of("agents", auth);
    var endpoint = new NimbusTokenEndpoint(settings, () -> Secret.of(SECRET));
    var s =
        realClock
            ? new OAuth2TokenSource(settings, endpoint, blocking)
            : new OAuth2TokenSource(settings, endpoint, blocking, clock);
    sources.add(s);
    return s;
  }

  OAuth2TokenSource source() {
    return source("client_secret_basic", Map.of(), false);
  }

  static OAuth2Token get(OAuth2TokenSource s) {
    return s.token().orTimeout(20, TimeUnit.SECONDS).join();
  }

  @Test
  void tokenIsCachedUntilExpiresInMinusSkew() {
    var s = source();
    OAuth2Token first = get(s);
    assertThat(first.reveal()).isEqualTo("token-1");
    assertThat(first.staleAt()).isEqualTo(first.expiresAt().minusSeconds(30));
    clock.advance(Duration.ofSeconds(3600 - 31));
    assertThat(get(s)).isSameAs(first);
    assertThat(server.requests).hasValue(1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(get(s).reveal()).isEqualTo("token-2");
    assertThat(server.requests).hasValue(2);
  }

  @Test
  void defaultLifetimeOf60SecondsAppliesWhenExpiresInIsAbsent() {
    server.mode = StandInTokenServer.Mode.OK_WITHOUT_EXPIRES_IN;
    OAuth2Token t = get(source());
    assertThat(t.lifetimeFromServer()).isFalse();
    assertThat(Duration.between(t.issuedAt(), t.expiresAt())).isEqualTo(Duration.ofSeconds(60));
    assertThat(Duration.between(t.issuedAt(), t.staleAt())).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void thousandConcurrentCallersAtExpiryCauseExactlyOneTokenRequest() throws Exception {
    var s = source();
    get(s);
    clock.advance(Duration.ofHours(2)); // expired
    server.gate = new CountDownLatch(1); // the endpoint answers only when all callers wait
    List<CompletableFuture<OAuth2Token>> futures = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<CompletableFuture<OAuth2Token>>> calls = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        calls.add(
            callers.submit(
                () -> {
                  go.await();
                  return s.token();
                }));
      }
      go.countDown();
      for (var c : calls) {
        futures.add(c.get(20, TimeUnit.SECONDS));
      }
    }
    server.gate.countDown();
    for (var f : futures) {
      assertThat(f.orTimeout(20, TimeUnit.SECONDS).join().reveal()).isEqualTo("token-2");
    }
    assertThat(server.requests).hasValue(2); // the first token, then exactly one at expiry
  }

  @Test
  void tokenIsRefreshedInTheBackgroundBeforeItGoesStale() {
    server.expiresIn = 2;
    var s = source("client_secret_basic", Map.of("expiry_skew_seconds", "0"), true);
    OAuth2Token first = get(s);
    assertThat(Duration.between(first.issuedAt(), first.refreshAt()).toMillis()).isEqualTo(1600);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> s.cached().map(OAuth2Token::reveal).orElse("").equals("token-2"));
    assertThat(server.requests.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void staleButUnexpiredTokenKeepsServingWhileTheEndpointFails() {
    server.expiresIn = 100;
    var s = source();
    OAuth2Token first = get(s);
    clock.advance(Duration.ofSeconds(80)); // stale at 70, expires at 100
    server.mode = StandInTokenServer.Mode.SERVER_ERROR;
    assertThat(get(s)).isSameAs(first);
    assertThat(server.requests).hasValue(1 + 3); // one attempt plus two retries
    clock.advance(Duration.ofSeconds(30)); // now expired
    assertThatThrownBy(() -> get(s))
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("service agents: no valid OAuth2 access token")
        .hasMessageContaining(server.url())
        .hasMessageContaining("HTTP 500");
  }

  @Test
  void endpointReturningGarbageIsRetriedThenReportedWithoutTheSecret() {
    server.mode = StandInTokenServer.Mode.GARBAGE;
    var s = source();
    assertThatThrownBy(() -> get(s))
        .cause()
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("not a token response")
        .hasMessageNotContaining(SECRET);
    assertThat(server.requests).hasValue(3);
  }

  @Test
  void invalidClientIsNotRetried() {
    var s = new StandInTokenServerSwap(server).wrongSecretSource(this);
    assertThatThrownBy(() -> get(s))
        .cause()
        .hasMessageContaining("invalid_client")
        .hasMessageNotContaining(SECRET)
        .hasMessageNotContaining("wrong-secret");
    assertThat(server.requests).hasValue(1);
  }

  @Test
  void unreachableEndpointGivesAClearError() {
    server.close();
    var s = source("client_secret_basic", Map.of("max_attempts", "1"), false);
    assertThatThrownBy(() -> get(s))
        .cause()
        .hasMessageContaining("token endpoint " + server.url())
        .hasMessageContaining("unreachable");
  }

  @Test
  void circuitBreakerOpensAndStopsCallingAFailingEndpoint() {
    server.mode = StandInTokenServer.Mode.SERVER_ERROR;
    var s = source("client_secret_basic", Map.of("max_attempts", "1"), false);
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> get(s)).isInstanceOf(CompletionException.class);
    }
    assertThat(s.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    int before = server.requests.get();
    assertThatThrownBy(() -> get(s))
        .cause()
        .hasMessageContaining("circuit breaker open")
        .hasMessageContaining("HTTP 500");
    assertThat(server.requests).hasValue(before);
  }

  @Test
  void clientSecretPostSendsTheCredentialsInTheBodyWithTheScope() {
    OAuth2Token t = get(source("client_secret_post", Map.of(), false));
    assertThat(t.reveal()).isEqualTo("token-1");
    assertThat(server.lastScope).isEqualTo("agent:execute blockchain:read");
  }

  @Test
  void audienceIsSentAsAFormParameterOnlyWhenConfigured() {
    get(source());
    assertThat(server.lastAudience).isNull();
    get(source("client_secret_basic", Map.of("audience", "https://api.example.com"), false));
    assertThat(server.lastAudience).isEqualTo("https://api.example.com");
  }

  @Test
  void invalidatedTokenIsReplacedOnTheNextCall() {
    var s = source();
    OAuth2Token first = get(s);
    s.invalidate(first);
    assertThat(get(s).reveal()).isEqualTo("token-2");
    assertThat(first.toString()).doesNotContain("token-1");
  }

  @Test
  void privateKeyJwtSignsAnAssertionTheServerVerifiesWithThePublicKey() throws Exception {
    var gen = java.security.KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    var pair = gen.generateKeyPair();
    server.jwtKey = (java.security.interfaces.RSAPublicKey) pair.getPublic();
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    var good = source("private_key_jwt", Map.of(), false);
    var s =
        new OAuth2TokenSource(
            good.settings(),
            new NimbusTokenEndpoint(good.settings(), () -> Secret.of(pem)),
            blocking,
            clock);
    sources.add(s);
    assertThat(get(s).reveal()).isEqualTo("token-1");
    assertThat(server.lastWasJwt).isTrue();
  }

  @Test
  void caBundleWithAnHttpTokenUrlIsAConfigErrorAtItsLine() {
    assertThatThrownBy(
            () -> source("client_secret_basic", Map.of("ca_bundle", "/etc/hosts"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("t.yml:3")
        .hasMessageContaining("service agents: ca_bundle: needs an https:// token_url");
  }

  @Test
  void caBundleThatIsMissingOrNotPemNamesTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> CaBundle.load(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read " + missing);
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
    assertThatThrownBy(() -> CaBundle.load(garbage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(garbage.toString());
  }

  /** A source whose client secret the server does not accept. */
  record StandInTokenServerSwap(StandInTokenServer server) {
    OAuth2TokenSource wrongSecretSource(OAuth2TokenSourceTest test) {
      var good = test.source();
      var settings = good.settings();
      var s =
          new OAuth2TokenSource(
              settings,
              new NimbusTokenEndpoint(settings, () -> Secret.of("wrong-secret")),
              test.blocking,
              test.clock);
      test.sources.add(s);
      return s;
    }
  }
}
