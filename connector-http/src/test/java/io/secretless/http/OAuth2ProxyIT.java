package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
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
    // A stand-in upstream: the first connection answers 401 with half its body, then closes; every
    // later connection answers 200 echoing the Authorization header it received.
    try (var upstream =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      AtomicInteger connections = new AtomicInteger();
      Thread server =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (!upstream.isClosed()) {
                      try (var s = upstream.accept()) {
                        String head = readHead(s.getInputStream());
                        var out = s.getOutputStream();
                        if (connections.incrementAndGet() == 1) {
                          out.write(
                              ("HTTP/1.1 401 Unauthorized\r\nContent-Length: 20\r\n\r\nunauth")
                                  .getBytes(StandardCharsets.US_ASCII));
                        } else {
                          String auth =
                              head.lines()
                                  .filter(l -> l.startsWith("Authorization:"))
                                  .findFirst()
                                  .orElse("none");
                          byte[] body = (auth + "\n").getBytes(StandardCharsets.US_ASCII);
                          out.write(
                              ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
                                      + body.length
                                      + "\r\n\r\n")
                                  .getBytes(StandardCharsets.US_ASCII));
                          out.write(body);
                        }
                        out.flush();
                      } catch (java.io.IOException e) {
                        return; // the server socket closed
                      }
                    }
                  });
      int port = upstream.getLocalPort();
      var api =
          service(
              "api",
              "generic_http",
              Map.of(),
              Map.of(
                  "headers",
                  Map.of("Authorization", "Bearer {{ .access_token }}"),
                  "upstream",
                  "http://127.0.0.1:" + port),
              List.of(
                  TestServices.oauth2(
                      "http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token",
                      "agent-7",
                      CLIENT_SECRET)));
      try (var reverse = new TestListener(new GenericHttpConnector(), List.of(api))) {
        var r = Curl.run(Map.of(), "-i", "http://127.0.0.1:" + reverse.port() + "/x");
        assertThat(r.out()).startsWith("HTTP/1.1 200").contains("Authorization: Bearer token-2");
        assertThat(connections).hasValue(2);
        assertThat(tokenRequests).hasValue(2);
      } finally {
        upstream.close();
        server.join();
      }
    }
  }

  private static String readHead(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      head.append((char) b);
      if (head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }
}
