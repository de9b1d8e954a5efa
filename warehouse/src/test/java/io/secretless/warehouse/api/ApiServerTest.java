package io.secretless.warehouse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.crypto.MasterKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the Netty HTTP server must get right on its own: limits, malformed input, stalled clients,
 * pipelining, keep-alive and close, failures of a route. Raw sockets on loopback, SQLite node.
 */
class ApiServerTest {
  private static final String LEAK = "route-internal-detail-7f3a";
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(1500);
  @TempDir Path dir;
  WarehouseNode node;
  WarehouseConfig config;
  ApiServer server;
  long max;

  @BeforeEach
  void start() {
    MasterKey.createKeyFile(dir.resolve("master.key"));
    config = WarehouseConfig.defaults(dir).withListen("127.0.0.1", 0);
    max = config.maxRequestBytes();
    node = WarehouseNode.open(config, "http://127.0.0.1");
    server =
        ApiServer.start(
            node,
            config,
            Duration.ofMillis(500),
            REQUEST_TIMEOUT,
            router -> {
              router.get(
                  "/test/slow",
                  ex -> {
                    Thread.sleep(300); // the first of two pipelined requests finishes last
                    ex.json(Map.of("slow", true));
                  });
              router.get(
                  "/test/boom",
                  ex -> {
                    throw new IllegalStateException(LEAK);
                  });
              router.get("/test/echo/{ref}", ex -> ex.json(Map.of("ref", ex.pathParam("ref"))));
              router.post("/test/body", ex -> ex.json(Map.of("body", ex.body())));
              router.get("/test/query", ex -> ex.json(Map.of("q", ex.queryParam("q").orElse(""))));
            });
  }

  @AfterEach
  void stop() {
    server.close();
    node.close();
  }

  private RawHttp connect() throws Exception {
    return new RawHttp(server.port());
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }

  @Test
  void bodyOverTheLimitGets413JsonAndTheConnectionStaysUsable() throws Exception {
    try (var c = connect()) {
      String body = "x".repeat((int) max + 1);
      c.send(
          "POST /v1/credentials HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
              + "Content-Length: "
              + body.length()
              + "\r\n\r\n"
              + body);
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body())
          .contains("\"code\":\"request_too_large\"")
          .contains("request body larger than " + max + " bytes");
      assertThat(c.send(get("/v1/health")).read().status()).isEqualTo(200);
    }
  }

  @Test
  void chunkedBodyOverTheLimitGets413() throws Exception {
    try (var c = connect()) {
      String chunk = "y".repeat(4096);
      var req = new StringBuilder("POST /v1/credentials HTTP/1.1\r\nHost: h\r\n");
      req.append("Transfer-Encoding: chunked\r\n\r\n");
      for (long sent = 0; sent <= max; sent += chunk.length()) {
        req.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
      }
      req.append("0\r\n\r\n");
      RawHttp.Response r = c.send(req.toString()).read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(c.send(get("/v1/health")).read().status()).isEqualTo(200);
    }
  }

  @Test
  void hugeDeclaredBodyGets413AndTheConnectionIsClosed() throws Exception {
    try (var c = connect()) {
      c.send("POST /v1/credentials HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000\r\n\r\nabc");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void requestLineTooLongGets400AndClose() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send(get("/v1/" + "a".repeat(10_000))).read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("\"code\":\"bad_request\"").contains("request line too long");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void malformedHeaderGets400AndCloseWithoutEchoingIt() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r =
          c.send("GET /v1/health HTTP/1.1\r\nHost: h\r\nBad Header" + LEAK + ": x\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("\"code\":\"bad_request\"").doesNotContain(LEAK);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void partialRequestThatStallsIsClosedByTheReadTimeout() throws Exception {
    try (var c = connect()) {
      c.send("GET /v1/hea");
      // RawHttp's own 10 s socket timeout would make this false: the server's 500 ms must win.
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void keepAliveClientGetsTheWholeReadTimeoutAfterASlowResponse() throws Exception {
    // Its own server: a 1 s read timeout and a route that takes 1.8 s. Counted from the last read
    // (the request), the timeout would close the connection at ~2 s, 0.2 s after the response;
    // counted from the last byte either way, at ~2.8 s.
    var slow =
        ApiServer.start(
            node,
            config,
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            router ->
                router.get(
                    "/test/slow-response",
                    ex -> {
                      Thread.sleep(1800);
                      ex.json(Map.of("slow", true));
                    }));
    try (slow;
        var c = new RawHttp(slow.port())) {
      assertThat(c.send(get("/test/slow-response")).read().status()).isEqualTo(200);
      Thread.sleep(
          500); // the idle gap is the input: 2.3 s after the request, 0.5 s after the reply
      assertThat(c.send(get("/v1/health")).read().status()).isEqualTo(200);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (var c = connect()) {
      c.send(get("/test/slow") + get("/v1/nope") + get("/v1/health"));
      RawHttp.Response first = c.read();
      assertThat(first.body()).isEqualTo("{\"slow\":true}");
      assertThat(c.read().status()).isEqualTo(404);
      assertThat(c.read().body()).contains("\"status\":\"ok\"");
    }
  }

  @Test
  void aThousandPipelinedRequestsInOneWriteAreAnsweredInOrderOrRefusedWith429() throws Exception {
    try (var c = connect()) {
      var flood = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        flood.append(get("/test/echo/" + i));
      }
      c.send(flood.toString());
      // How many one read holds depends on the socket: past 128 at once the rest get one 429.
      for (int i = 0; i < 1000; i++) {
        RawHttp.Response r = c.read();
        if (r.status() == 429) {
          assertThat(r.body()).contains("\"code\":\"too_many_requests\"");
          assertThat(c.closedByServer()).isTrue();
          return;
        }
        assertThat(r.body()).isEqualTo("{\"ref\":\"" + i + "\"}");
      }
    }
  }

  static Stream<Arguments> badFraming() {
    return Stream.of(
        arguments(
            "Content-Length: 3\r\nTransfer-Encoding: chunked",
            "Transfer-Encoding and Content-Length together"),
        arguments("Content-Length: 3\r\nContent-Length: 3", "more than one Content-Length"),
        arguments("Content-Length: -1", "Content-Length is not a number"),
        arguments("Transfer-Encoding: gzip", "Transfer-Encoding other than chunked"),
        arguments("X-Nul: a\u0000b", "a header holds a forbidden character"),
        arguments("X-Cr: a\rb", "a header holds a forbidden character"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badFraming")
  void ambiguousFramingOrForbiddenCharactersGet400NamingTheProblemAndClose(
      String headers, String reason) throws Exception {
    try (var c = connect()) {
      String head = "POST /test/body HTTP/1.1\r\nHost: h\r\n" + headers + "\r\n\r\n";
      RawHttp.Response r = c.send(head + "3\r\nabc\r\n0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("\"code\":\"bad_request\"").contains(reason);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  static Stream<Arguments> badHost() {
    return Stream.of(
        arguments("GET /v1/health HTTP/1.1\r\n\r\n", "missing Host header"),
        arguments(
            "GET /v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one Host header"),
        arguments(
            "GET /v1/health HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "more than one Host header"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badHost")
  void missingOrRepeatedHostGets400NamingTheProblemAndClose(String request, String reason)
      throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send(request + get("/v1/health")).read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("\"code\":\"bad_request\"").contains(reason);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void http10RequestWithoutHostIsServed() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send("GET /v1/health HTTP/1.0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("\"status\":\"ok\"");
    }
  }

  @Test
  void chunkedBodyIsReassembledAndTheConnectionStaysUsable() throws Exception {
    try (var c = connect()) {
      String chunks = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
      c.send("POST /test/body HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);
      assertThat(c.read().body()).isEqualTo("{\"body\":\"abcde\"}");
      assertThat(c.send(get("/v1/health")).read().status()).isEqualTo(200);
    }
  }

  @Test
  void expect100ContinueGetsContinueBeforeTheBodyIsSent() throws Exception {
    try (var c = connect()) {
      c.send(
          "POST /test/body HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(100);
      assertThat(c.send("abc").read().body()).isEqualTo("{\"body\":\"abc\"}");
    }
  }

  @Test
  void absoluteFormTargetIsServedAsItsPathAndQuery() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send(get("http://127.0.0.1:8200/test/query?q=x%20y")).read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"q\":\"x y\"}");
    }
  }

  @Test
  void queryStringThatIsNotPercentEncodingIs400NotA500() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send(get("/test/query?q=%zz")).read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body())
          .contains("\"code\":\"bad_request\"")
          .contains("query string is not valid percent-encoding");
    }
  }

  @Test
  void routeFailureIs500JsonWithoutDetailsOrStackTrace() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send(get("/test/boom")).read();
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.body())
          .contains("\"code\":\"internal_error\"")
          .doesNotContain(LEAK)
          .doesNotContain("Exception")
          .doesNotContain("at io.");
      assertThat(c.send(get("/v1/health")).read().status()).isEqualTo(200);
    }
  }

  @Test
  void unknownEndpointIs404NamingMethodAndPath() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send(get("/v1/nope")).read();
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body())
          .contains("\"code\":\"not_found\"")
          .contains("no such endpoint: GET /v1/nope");
    }
  }

  @Test
  void wrongMethodOnAKnownPathIs405WithAllow() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r =
          c.send("PUT /v1/credentials/x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(405);
      assertThat(r.headers()).containsEntry("allow", "DELETE, GET");
      assertThat(r.body()).contains("\"code\":\"method_not_allowed\"");
    }
  }

  @Test
  void pathParametersArePercentDecoded() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r = c.send(get("/test/echo/a%2Fb+c%20d")).read();
      assertThat(r.body()).isEqualTo("{\"ref\":\"a/b+c d\"}");
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (var c = connect()) {
      RawHttp.Response r =
          c.send("GET /v1/health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void http10IsServedAndClosedUnlessKeepAliveIsAsked() throws Exception {
    try (var c = connect()) {
      assertThat(c.send("GET /v1/health HTTP/1.0\r\n\r\n").read().status()).isEqualTo(200);
      assertThat(c.closedByServer()).isTrue();
    }
    try (var c = connect()) {
      RawHttp.Response r =
          c.send("GET /v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
      assertThat(r.headers()).containsEntry("connection", "keep-alive");
      assertThat(c.send("GET /v1/health HTTP/1.0\r\n\r\n").read().status()).isEqualTo(200);
    }
  }

  @Test
  void headTrickledUnderTheReadTimeoutGets408WhenTheRequestTimeoutRunsOut() throws Exception {
    try (var c = connect()) {
      c.send("GET /v1/health HTTP/1.1\r\nHost: h\r\n");
      trickle(c, "X-Slow: " + "a".repeat(30) + "\r\n\r\n");
      assertTimedOut(c);
    }
  }

  @Test
  void bodyTrickledUnderTheReadTimeoutGets408WhenTheRequestTimeoutRunsOut() throws Exception {
    try (var c = connect()) {
      String body = "b".repeat(30);
      c.send(
          "POST /test/body HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length() + "\r\n\r\n");
      trickle(c, body);
      assertTimedOut(c);
    }
  }

  @Test
  void connectionsPastTheLimitGet503AndAreClosedUntilOneCloses() throws Exception {
    // Long timeouts: the connections held open must not be closed by the server meanwhile.
    Duration long_ = Duration.ofSeconds(30);
    try (var limited =
        ApiServer.start(node, config.withMaxConnections(2), long_, long_, router -> {})) {
      var first = new RawHttp(limited.port());
      try (var second = new RawHttp(limited.port())) {
        assertThat(first.send(get("/v1/health")).read().status()).isEqualTo(200);
        assertThat(second.send(get("/v1/health")).read().status()).isEqualTo(200);
        try (var third = new RawHttp(limited.port())) {
          RawHttp.Response r = third.read();
          assertThat(r.status()).isEqualTo(503);
          assertThat(r.body())
              .contains("\"code\":\"too_many_connections\"")
              .contains("at most 2 connections");
          assertThat(third.closedByServer()).isTrue();
        }
        first.close();
        await()
            .atMost(Duration.ofSeconds(5))
            .ignoreExceptions()
            .untilAsserted(
                () -> {
                  try (var again = new RawHttp(limited.port())) {
                    assertThat(again.send(get("/v1/health")).read().status()).isEqualTo(200);
                  }
                });
      }
    }
  }

  /**
   * Sends one byte every 200 ms (well under the 500 ms read timeout; 30 bytes take 6 s, far over
   * the request timeout) until the server answers or closes.
   */
  private static void trickle(RawHttp c, String text) throws Exception {
    for (char ch : text.toCharArray()) {
      if (c.answered()) {
        return;
      }
      try {
        c.send(String.valueOf(ch));
      } catch (java.io.IOException closed) {
        return;
      }
      Thread.sleep(200); // pacing the client, not waiting for the server
    }
  }

  private static void assertTimedOut(RawHttp c) throws Exception {
    RawHttp.Response r = c.read();
    assertThat(r.status()).isEqualTo(408);
    assertThat(r.body())
        .contains("\"code\":\"request_timeout\"")
        .contains("within " + REQUEST_TIMEOUT.toMillis() + " ms");
    assertThat(c.closedByServer()).isTrue();
  }
}
