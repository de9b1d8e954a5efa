package io.secretless.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.secretless.core.Secret;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviours of {@code from: warehouse} a real warehouse cannot be made to show on demand (a
 * still-valid token refused, a hang, a 503, a garbled body), against a stand-in on a loopback HTTP
 * server. The real warehouse is in cli's WarehouseProviderIT.
 */
class WarehouseProviderTest {
  private static final String VALUE = "Stand-In-Value-Canary-6e0";
  private static final String CLIENT_SECRET = "Stand-In-Client-Secret-77a";

  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger firstAccepted = new AtomicInteger(1);
  private volatile int status = 200;
  private volatile String body = "{\"name\":\"db\",\"version\":1,\"value\":\"" + VALUE + "\"}";
  private volatile Duration delay = Duration.ZERO;
  private final BlockingQueue<String> pushed = new LinkedBlockingQueue<>();
  private final AtomicInteger polls = new AtomicInteger();
  private volatile int feedStatus = 200;
  private volatile String feedBody; // null: the stand-in feed's own answers
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet(); // one per connection
  private final HttpServer server;

  WarehouseProviderTest() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
    server.createContext(
        "/v1/oauth/token",
        ex ->
            send(
                ex,
                200,
                "{\"access_token\":\"token-"
                    + issued.incrementAndGet()
                    + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
    server.createContext("/v1/credentials/", this::secret);
    server.createContext("/v1/changes", this::changes);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor()); // a held poll blocks no other
    server.start();
  }

  private void secret(HttpExchange ex) throws IOException {
    clientPorts.add(ex.getRemoteAddress().getPort());
    String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
    int token = auth.startsWith("Bearer token-") ? Integer.parseInt(auth.substring(13)) : 0;
    if (token < firstAccepted.get()) {
      send(ex, 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"bad token\"}}");
      return;
    }
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    send(ex, status, body);
  }

  /** The stand-in feed: the starting point, then each queued change, else an empty answer. */
  private void changes(HttpExchange ex) throws IOException {
    int n = polls.incrementAndGet();
    if (feedStatus != 200 || feedBody != null) {
      send(ex, feedStatus, String.valueOf(feedBody));
      return;
    }
    String query = String.valueOf(ex.getRequestURI().getQuery());
    String change = null;
    if (query.startsWith("after=")) {
      try {
        change = pushed.poll(20, TimeUnit.SECONDS); // held like the real feed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    send(
        ex,
        200,
        "{\"next\":"
            + n
            + ",\"changes\":["
            + (change == null
                ? ""
                : "{\"seq\":" + n + ",\"id\":\"" + change + "\",\"action\":\"rotate\"}")
            + "]}");
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private WarehouseProvider provider() {
    return new WarehouseProvider(
        new WarehouseSettings(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            "broker",
            Secret.of(CLIENT_SECRET),
            Optional.empty(),
            Duration.ofSeconds(1),
            WarehouseSettings.Cache.OFF));
  }

  private WarehouseProvider cachingProvider(boolean push) {
    return new WarehouseProvider(
        new WarehouseSettings(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            "broker",
            Secret.of(CLIENT_SECRET),
            Optional.empty(),
            Duration.ofSeconds(1),
            new WarehouseSettings.Cache(Duration.ofMinutes(5), Duration.ofMinutes(2), push)));
  }

  @Test
  void withPushARotationTheStandInFeedReportsDropsTheCachedValueAndCloseEndsTheWatcher() {
    body = "{\"id\":\"cred-1\",\"name\":\"db\",\"version\":1,\"value\":\"" + VALUE + "\"}";
    WarehouseProvider provider = cachingProvider(true);
    try (provider) {
      provider.checkSettings();
      assertThat(provider.pushing()).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> polls.get() >= 2); // held after the start
      assertThat(provider.cacheStats().orElseThrow().push()).isEqualTo(CacheStats.Push.CONNECTED);
      assertThat(provider.get("db").revealString()).isEqualTo(VALUE);
      body = body.replace(VALUE, "Pushed-Canary-51d7");
      assertThat(provider.get("db").revealString()).as("cached").isEqualTo(VALUE);

      pushed.add("cred-1");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> provider.get("db").revealString().equals("Pushed-Canary-51d7"));
      assertThat(provider.cacheStats().orElseThrow().pushed()).isEqualTo(1);
    }
    assertThat(provider.cacheStats().orElseThrow().push())
        .as("closed")
        .isEqualTo(CacheStats.Push.DISCONNECTED);
    assertThat(provider.pushing())
        .as("no thread left after close, though its poll was held for 20 s")
        .isFalse();
    int after = polls.get();
    await().during(Duration.ofMillis(700)).until(() -> polls.get() == after);
  }

  @Test
  void theFeedClientTellsAPageANoFeedARefusalAndAnOutageApart() {
    WarehouseSettings settings =
        new WarehouseSettings(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            "broker",
            Secret.of(CLIENT_SECRET),
            Optional.empty(),
            Duration.ofSeconds(1),
            WarehouseSettings.Cache.OFF);
    String url = settings.url().toString();
    try (WarehouseClient client = new WarehouseClient(settings)) {
      assertThat(client.changes(OptionalLong.empty(), Duration.ZERO))
          .isEqualTo(new ChangeWatcher.Answer.Page(1, List.of()));
      feedBody = "{\"next\":7,\"changes\":[{\"seq\":7,\"id\":\"c-1\",\"action\":\"delete\"}]}";
      assertThat(client.changes(OptionalLong.of(3), Duration.ofSeconds(30)))
          .isEqualTo(
              new ChangeWatcher.Answer.Page(7, List.of(new ChangeWatcher.Change("c-1", "delete"))));

      feedStatus = 404;
      feedBody = "{\"error\":{\"code\":\"not_found\",\"message\":\"no such endpoint\"}}";
      assertThat(client.changes(OptionalLong.of(3), Duration.ZERO))
          .isEqualTo(new ChangeWatcher.Answer.NoFeed());
      feedStatus = 400;
      feedBody = "{\"error\":{\"code\":\"bad_request\",\"message\":\"after past head\"}}";
      assertThat(client.changes(OptionalLong.of(3), Duration.ZERO))
          .isEqualTo(
              new ChangeWatcher.Answer.Refused(
                  "warehouse change feed: the warehouse at "
                      + url
                      + " answered HTTP 400 bad_request"));
      feedStatus = 503;
      feedBody = "{\"error\":{\"code\":\"audit_unavailable\",\"message\":\"down\"}}";
      assertThatThrownBy(() -> client.changes(OptionalLong.of(3), Duration.ZERO))
          .isInstanceOf(CredentialException.class)
          .hasMessage(
              "warehouse change feed: the warehouse at "
                  + url
                  + " answered HTTP 503 audit_unavailable");
      feedStatus = 200;
      feedBody = "{\"next\": \"" + VALUE + "\"";
      assertThatThrownBy(() -> client.changes(OptionalLong.of(3), Duration.ZERO))
          .hasMessageEndingWith("answered with a body that is not a page")
          .message()
          .doesNotContain(VALUE)
          .doesNotContain(CLIENT_SECRET)
          .doesNotContain("token-");
    }
  }

  @Test
  void withPushOffNoWatcherRunsAndNoFeedIsPolled() {
    try (WarehouseProvider provider = cachingProvider(false)) {
      assertThat(provider.cacheStats()).as("no cache before the settings are read").isEmpty();
      provider.checkSettings();
      assertThat(provider.cacheStats().orElseThrow())
          .as("counts from the start, before any get")
          .isEqualTo(new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, CacheStats.Push.OFF));
      assertThat(provider.get("db").revealString()).isEqualTo(VALUE);
      assertThat(provider.cacheStats().orElseThrow().fetches()).isEqualTo(1);
      assertThat(provider.pushing()).isFalse();
      assertThat(polls).hasValue(0);
    }
  }

  @Test
  void fetchesReuseOneConnectionAfterAnswersWithAndWithoutErrors() {
    try (WarehouseProvider provider = provider()) {
      for (int i = 0; i < 3; i++) {
        status = 200;
        assertThat(provider.get("db").revealString()).isEqualTo(VALUE);
        status = 404;
        assertThatThrownBy(() -> provider.get("db")).hasMessageContaining("no credential db");
      }
      assertThat(clientPorts).as("one keep-alive connection for all six fetches").hasSize(1);
    }
  }

  @Test
  void aRefusedTokenIsReplacedOnceAndTheValueIsNeverCached() {
    try (WarehouseProvider provider = provider()) {
      assertThat(provider.get("db").revealString()).isEqualTo(VALUE);
      assertThat(provider.get("db").revealString()).isEqualTo(VALUE);
      assertThat(issued).as("the token is cached").hasValue(1);

      firstAccepted.set(2); // the warehouse no longer accepts token-1
      assertThat(provider.get("db").revealString()).isEqualTo(VALUE);
      assertThat(issued).as("one new token after the 401").hasValue(2);

      body = body.replace(VALUE, "Rotated-Canary-0c3");
      assertThat(provider.get("db").revealString()).isEqualTo("Rotated-Canary-0c3");

      firstAccepted.set(Integer.MAX_VALUE);
      assertThatThrownBy(() -> provider.get("db"))
          .hasMessage(
              "warehouse credential db: the warehouse refused the access token of client broker");
      assertThat(issued).as("retried once, not forever").hasValue(3);
      assertThat(provider.cacheStats()).as("no cache, no counts").isEmpty();
    }
  }

  @Test
  void aHungWarehouseTimesOut() {
    delay = Duration.ofSeconds(2); // the timeout is 1 s
    try (WarehouseProvider provider = provider()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> provider.get("db"))
          .hasMessageContaining("warehouse credential db: the warehouse at http://127.0.0.1:")
          .hasMessageContaining("is unreachable (SocketTimeoutException");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1900));
    }
  }

  @Test
  void anUnavailableWarehouseOrAGarbledBodyIsNamedWithoutTheBody() {
    try (WarehouseProvider provider = provider()) {
      status = 503;
      body = "{\"error\":{\"code\":\"audit_unavailable\",\"message\":\"audit log down\"}}";
      assertThatThrownBy(() -> provider.get("db"))
          .hasMessageEndingWith("answered HTTP 503 audit_unavailable");

      status = 200;
      body = "{\"value\": \"" + VALUE + "\""; // cut short
      assertThatThrownBy(() -> provider.get("db"))
          .hasMessageEndingWith("answered with a body that is not a secret")
          .message()
          .doesNotContain(VALUE)
          .doesNotContain(CLIENT_SECRET);
    }
  }

  @Test
  void refusalsAreVerdictsAndOutagesAreNot() {
    try (WarehouseProvider provider = provider()) {
      for (int code : new int[] {403, 404, 410}) {
        status = code;
        body = "{\"error\":{\"code\":\"x\",\"message\":\"x\"}}";
        assertThatThrownBy(() -> provider.get("db"))
            .as("HTTP %d", code)
            .isInstanceOfSatisfying(
                CredentialException.class, e -> assertThat(e.refused()).isTrue());
      }
      status = 503;
      assertThatThrownBy(() -> provider.get("db"))
          .isInstanceOfSatisfying(
              CredentialException.class, e -> assertThat(e.refused()).isFalse());
      delay = Duration.ofSeconds(2);
      status = 200;
      assertThatThrownBy(() -> provider.get("db"))
          .as("timed out")
          .isInstanceOfSatisfying(
              CredentialException.class, e -> assertThat(e.refused()).isFalse());
    }
  }
}
