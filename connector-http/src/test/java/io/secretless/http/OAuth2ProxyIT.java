package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.secretless.config.CredentialRef;
import io.secretless.config.ServiceConfig;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code authentication: - type: oauth2} through the proxy to the real nginx upstream. The token
 * endpoint is a stand-in (a JDK HTTP server in the test that checks client_secret_basic and issues
 * token-1, token-2, ...), so that requests can be counted and the endpoint stopped.
 */
class OAuth2ProxyIT {
  static final String CLIENT_SECRET = "OAuth-Client-Canary-5e6a2";

  HttpServer tokenServer;
  final AtomicInteger tokenRequests = new AtomicInteger();
  TestListener listener;
  int http;

  @BeforeEach
  void start() throws Exception {
    http = ItEnv.nginxHttp();
    tokenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    tokenServer.setExecutor(Executors.newCachedThreadPool());
    String expectedAuth =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(("agent-7:" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    tokenServer.createContext(
        "/token",
        ex -> {
          int n = tokenRequests.incrementAndGet();
          boolean ok = expectedAuth.equals(ex.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              (ok
                      ? "{\"access_token\":\"token-"
                          + n
                          + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
                      : "{\"error\":\"invalid_client\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(ok ? 200 : 401, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    tokenServer.start();
    String tokenUrl = "http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token";
    var agents =
        service(
            "agents",
            "generic_http",
            Map.of(),
            Map.of(
                "headers",
                Map.of("Authorization", "Bearer {{ .access_token }}"),
                "authenticateURLsMatching",
                "^http://127\\.0\\.0\\.1:" + http + "/"),
            List.of(TestServices.oauth2(tokenUrl, "agent-7", CLIENT_SECRET)));
    listener = new TestListener(new GenericHttpConnector(), List.of(agents));
  }

  @AfterEach
  void stop() throws Exception {
    listener.close();
    tokenServer.stop(0);
    // Logs: scripts/scan-logs-for-secrets.sh (run by ./run-tests) scans for CLIENT_SECRET.
  }

  @Test
  void accessTokenFromTheTokenEndpointIsInjected() {
    var r = Curl.viaProxy(listener.port(), "http://127.0.0.1:" + http + "/");
    assertThat(r.out()).isEqualTo("auth=Bearer token-1\n");
    Curl.viaProxy(listener.port(), "http://127.0.0.1:" + http + "/");
    assertThat(tokenRequests).hasValue(1);
  }

  @Test
  void upstream401InvalidatesTheTokenAndRetriesOnceWithANewOne() {
    // nginx accepts only "Bearer token-2": the cached token-1 is refused once.
    var r = Curl.viaProxy(listener.port(), "-i", "http://127.0.0.1:" + http + "/only-token-2");
    assertThat(r.out()).startsWith("HTTP/1.1 200").contains("auth=Bearer token-2");
    assertThat(tokenRequests).hasValue(2);
  }

  @Test
  void tokenEndpointDownGives502WithAClearMessage() {
    tokenServer.stop(0);
    var r = Curl.viaProxy(listener.port(), "-i", "http://127.0.0.1:" + http + "/");
    assertThat(r.out()).startsWith("HTTP/1.1 502");
    assertThat(r.out()).contains("service agents: no valid OAuth2 access token");
    assertThat(r.out()).doesNotContain(CLIENT_SECRET);
  }

  @Test
  void concurrentFirstRequestsShareOneTokenRequest() {
    HttpClient client =
        HttpClient.newBuilder()
            .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", listener.port())))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/")).build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (var c : calls) {
      assertThat(c.join().body()).isEqualTo("auth=Bearer token-1\n");
    }
    assertThat(tokenRequests).hasValue(1);
  }

  @Test
  void upstreamClosingWhileItsRefusalIsSwallowedStillGetsTheRetryOnAFreshConnection()
      throws Exception {
    // The first connection answers 401 with half its body, then closes; every later connection
    // answers 200 echoing the Authorization header it received.
    AtomicInteger connections = new AtomicInteger();
    try (var upstream =
            new StandInUpstream(
                head -> {
                  if (connections.incrementAndGet() == 1) {
                    return "HTTP/1.1 401 Unauthorized\r\nContent-Length: 20\r\n\r\nunauth";
                  }
                  String body = sent(head, "Authorization:") + "\n";
                  return "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body;
                });
        var reverse =
            new TestListener(
                new GenericHttpConnector(),
                List.of(
                    reverseWithToken(
                        Map.of(),
                        Map.of("Authorization", "Bearer {{ .access_token }}"),
                        upstream.port())))) {
      var r = Curl.run(Map.of(), "-i", "http://127.0.0.1:" + reverse.port() + "/x");
      assertThat(r.out()).startsWith("HTTP/1.1 200").contains("Authorization: Bearer token-2");
      assertThat(connections).hasValue(2);
      assertThat(tokenRequests).hasValue(2);
    }
  }

  @Test
  void a401WithATokenAndCachedCredentialsRenewsBothInOneRetryAndNeverRetriesTwice()
      throws Exception {
    // An upstream that refuses everything and keeps the credentials each request carried.
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    RotatingTestProvider.reset("key-1", "key-2"); // a rotation the "cache" has not seen yet
    try (var upstream =
            new StandInUpstream(
                head -> {
                  seen.add(sent(head, "Authorization:") + ", " + sent(head, "X-Api-Key:"));
                  return "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n"
                      + "Content-Length: 0\r\n\r\n";
                });
        var reverse =
            new TestListener(
                new GenericHttpConnector(),
                List.of(
                    reverseWithToken(
                        Map.of(
                            "key",
                            new CredentialRef.FromProvider(
                                "test-rotating", "api-key", TestServices.at(5))),
                        Map.of(
                            "Authorization", "Bearer {{ .access_token }}",
                            "X-Api-Key", "{{ .key }}"),
                        upstream.port())))) {
      var r = Curl.run(Map.of(), "-i", "http://127.0.0.1:" + reverse.port() + "/x");
      assertThat(r.out()).startsWith("HTTP/1.1 401");
      assertThat(seen)
          .containsExactly(
              "Authorization: Bearer token-1, X-Api-Key: key-1",
              "Authorization: Bearer token-2, X-Api-Key: key-2");
      assertThat(tokenRequests).hasValue(2);
      assertThat(RotatingTestProvider.FETCHES).hasValue(1);
      assertThat(RotatingTestProvider.INVALIDATIONS).as("not again after the retry").hasValue(1);
      assertThat(reverse.metrics())
          .contains("outcome=\"token_retry\",service=\"api\"} 1.0")
          .contains("outcome=\"credential_retry\",service=\"api\"} 1.0");
    }
  }

  /** The header line of a request head that starts with {@code prefix}, or "none". */
  private static String sent(String head, String prefix) {
    return head.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("none");
  }

  /** Service {@code api}: a reverse proxy to a loopback port, with the test's OAuth2 token. */
  private ServiceConfig reverseWithToken(
      Map<String, CredentialRef> credentials, Map<String, String> headers, int port) {
    return TestServices.serviceWithRefs(
        "api",
        "generic_http",
        credentials,
        Map.of("headers", headers, "upstream", "http://127.0.0.1:" + port),
        List.of(
            TestServices.oauth2(
                "http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token",
                "agent-7",
                CLIENT_SECRET)));
  }
}
