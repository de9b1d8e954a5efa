package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP connectors against a real nginx upstream (scripts/servers/40-nginx.sh), driven by the
 * real curl through HTTP_PROXY (forward proxy) or directly (reverse proxy).
 */
class HttpProxyIT {
  static final String API_KEY = "ApiKey-Canary-4d1f9";
  static final String PASSWORD = "Basic-Canary-9c2e1";
  static final String TLS_KEY = "Tls-Canary-77ab3";
  static final List<String> SECRETS = List.of(API_KEY, PASSWORD, TLS_KEY);

  static int http;
  static int https;
  static TestListener forward;
  static TestListener reverse;
  static final List<String> nonEchoOutputs = new ArrayList<>();

  @BeforeAll
  static void start() {
    http = ItEnv.nginxHttp();
    https = ItEnv.nginxHttps();
    String ca = ItEnv.caBundle();
    var api =
        service(
            "api",
            "generic_http",
            Map.of("apikey", API_KEY),
            Map.of(
                "headers",
                Map.of("Authorization", "Bearer {{ .apikey }}", "X-Api-Key", "{{ .apikey }}"),
                "authenticateURLsMatching",
                "^http://127\\.0\\.0\\.1:" + http + "/"));
    var query =
        service(
            "query",
            "generic_http",
            Map.of("apikey", API_KEY),
            Map.of(
                "queryParams",
                Map.of("key", "{{ .apikey }}", "units", "metric"),
                "authenticateURLsMatching",
                "^http://127\\.0\\.0\\.1:" + http + "/args"));
    var basic =
        service(
            "registry",
            "basic_auth",
            Map.of("username", "ci-bot", "password", PASSWORD),
            Map.of("authenticateURLsMatching", "^http://localhost:" + http + "/"));
    var tls =
        service(
            "tls-api",
            "generic_http",
            Map.of("apikey", TLS_KEY),
            Map.of(
                "headers",
                Map.of("Authorization", "Token {{ .apikey }}"),
                "forceSSL",
                true,
                "caBundle",
                ca,
                "authenticateURLsMatching",
                "^http://localhost:" + https + "/"));
    var untrusted =
        service(
            "untrusted",
            "generic_http",
            Map.of("apikey", TLS_KEY),
            Map.of(
                "headers",
                Map.of("Authorization", "Token {{ .apikey }}"),
                "forceSSL",
                true,
                "authenticateURLsMatching",
                "^http://127\\.0\\.0\\.1:" + https + "/"));
    var down =
        service(
            "down",
            "generic_http",
            Map.of("apikey", API_KEY),
            Map.of(
                "headers",
                Map.of("Authorization", "Bearer {{ .apikey }}"),
                "authenticateURLsMatching",
                "^http://127\\.0\\.0\\.1:1/"));
    // "query" is listed before "api": the first service whose URL rule matches wins.
    forward =
        new TestListener(
            new GenericHttpConnector(), List.of(query, api, basic, tls, untrusted, down));
    var rev =
        service(
            "reverse-api",
            "generic_http",
            Map.of("apikey", TLS_KEY),
            Map.of(
                "headers",
                Map.of("Authorization", "Token {{ .apikey }}"),
                "upstream",
                "https://localhost:" + https,
                "caBundle",
                ca));
    reverse = new TestListener(new GenericHttpConnector(), List.of(rev));
  }

  @AfterAll
  static void stop() throws Exception {
    if (forward != null) {
      forward.close();
    }
    if (reverse != null) {
      reverse.close();
    }
    for (String out : nonEchoOutputs) {
      for (String s : SECRETS) {
        assertThat(out).as("client-visible output").doesNotContain(s);
      }
    }
    // Logs: scripts/scan-logs-for-secrets.sh (run by ./run-tests) scans every test's output for
    // the *-Canary-* values above.
  }

  private static Curl.Result noEcho(Curl.Result r) {
    nonEchoOutputs.add(r.all());
    return r;
  }

  @Test
  void forwardProxyInjectsTemplatedHeaderForMatchingUrl() {
    var r = Curl.viaProxy(forward.port(), "http://127.0.0.1:" + http + "/headers");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("auth=Bearer " + API_KEY).contains("apikey=" + API_KEY);
    assertThat(r.out()).contains("host=127.0.0.1");
    assertThat(forward.metrics())
        .containsPattern(
            "secretless_http_requests_total\\{outcome=\"forwarded\",service=\"api\"\\} [1-9]");
  }

  @Test
  void basicAuthConnectorSendsBase64OfUsernameAndPassword() {
    var r = Curl.viaProxy(forward.port(), "http://localhost:" + http + "/");
    String expected =
        Base64.getEncoder().encodeToString(("ci-bot:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertThat(r.out()).isEqualTo("auth=Basic " + expected + "\n");
  }

  @Test
  void firstMatchingServiceWinsAndQueryParamsAreSetFromTemplates() {
    var r = Curl.viaProxy(forward.port(), "http://127.0.0.1:" + http + "/args?page=2&key=client");
    assertThat(r.out()).startsWith("args=page=2&");
    assertThat(r.out()).contains("key=" + API_KEY).contains("units=metric");
    assertThat(r.out()).doesNotContain("key=client");
  }

  @Test
  void requestMatchingNoServiceIsRefusedNotForwarded() {
    var r = noEcho(Curl.viaProxy(forward.port(), "-i", "http://127.0.0.2:" + http + "/headers"));
    assertThat(r.out()).startsWith("HTTP/1.1 403");
    assertThat(r.out()).contains("not an open relay");
    assertThat(forward.metrics())
        .containsPattern(
            "secretless_http_requests_total\\{outcome=\"refused\",service=\"unmatched\"\\} [1-9]");
  }

  @Test
  void connectIsAnsweredWith405AndAnExplanation() {
    String proxy = "http://127.0.0.1:" + forward.port();
    var r = noEcho(Curl.run(Map.of(), "-v", "-x", proxy, "https://localhost:" + https + "/"));
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("405");
  }

  @Test
  void proxyAuthorizationFromTheClientIsNotForwarded() {
    var r =
        Curl.viaProxy(
            forward.port(),
            "--proxy-user",
            "someone:proxy-pass",
            "http://127.0.0.1:" + http + "/headers");
    assertThat(r.out()).contains("proxyauth=\n");
  }

  @Test
  void responseHeaderRepeatingTheSecretIsStripped() {
    var r =
        noEcho(Curl.viaProxy(forward.port(), "-i", "http://127.0.0.1:" + http + "/echo-header"));
    assertThat(r.out()).startsWith("HTTP/1.1 200").contains("ok");
    assertThat(r.out().toLowerCase()).doesNotContain("x-echo-auth");
  }

  @Test
  void clientConnectionIsKeptAliveAcrossRequests() {
    String url = "http://127.0.0.1:" + http + "/";
    var r = Curl.viaProxy(forward.port(), "-v", url, url, url);
    assertThat(r.out()).contains("auth=Bearer " + API_KEY);
    assertThat(r.err()).containsPattern("(?i)re-?using existing connection");
  }

  @Test
  void streamsALargeChunkedUploadWithExpectContinue() throws Exception {
    Path body = Files.createTempFile("upload", ".bin");
    try {
      byte[] data = new byte[3 * 1024 * 1024 + 17];
      new java.util.Random(1).nextBytes(data);
      Files.write(body, data);
      var r =
          Curl.viaProxy(
              forward.port(),
              "-H",
              "Transfer-Encoding: chunked",
              "-H",
              "Expect: 100-continue",
              "--data-binary",
              "@" + body,
              "http://127.0.0.1:" + http + "/upload");
      assertThat(r.out()).as(r.err()).isEqualTo("received=" + data.length + "\n");
    } finally {
      Files.delete(body);
    }
  }

  @Test
  void forceSslSendsTheRequestUpstreamOverVerifiedTls() {
    var r = Curl.viaProxy(forward.port(), "http://localhost:" + https + "/");
    assertThat(r.out()).isEqualTo("auth=Token " + TLS_KEY + "\n");
  }

  @Test
  void upstreamCertificateNotTrustedGives502AndNoRequest() {
    var r = noEcho(Curl.viaProxy(forward.port(), "-i", "http://127.0.0.1:" + https + "/"));
    assertThat(r.out()).startsWith("HTTP/1.1 502");
    assertThat(r.out()).contains("untrusted").contains("TLS");
  }

  @Test
  void upstreamDownGives502NamingServiceAndAddress() {
    var r = noEcho(Curl.viaProxy(forward.port(), "-i", "http://127.0.0.1:1/"));
    assertThat(r.out()).startsWith("HTTP/1.1 502");
    assertThat(r.out()).contains("service down").contains("127.0.0.1:1");
  }

  @Test
  void reverseProxyServesOriginFormRequestsOverTls() {
    var r = Curl.run(Map.of(), "http://127.0.0.1:" + reverse.port() + "/headers");
    assertThat(r.out()).contains("auth=Token " + TLS_KEY).contains("host=localhost");
  }

  @Test
  void forwardListenerRefusesOriginFormRequestsWithAHint() {
    var r = noEcho(Curl.run(Map.of(), "-i", "http://127.0.0.1:" + forward.port() + "/x"));
    assertThat(r.out()).startsWith("HTTP/1.1 403").contains("HTTP_PROXY");
  }

  @Test
  void clientThatHalfClosesAfterItsRequestGetsTheResponseThenTheConnectionCloses()
      throws Exception {
    try (var socket = new java.net.Socket("127.0.0.1", forward.port())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET http://127.0.0.1:" + http + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + http + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.shutdownOutput();
      String response =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 200").endsWith("auth=Bearer " + API_KEY + "\n");
    }
  }

  @Test
  void unmatchedRequestIsForwardedWithoutCredentialsOnlyWithExplicitOptIn() {
    var svc =
        service(
            "opt-in",
            "generic_http",
            Map.of("apikey", API_KEY),
            Map.of(
                "headers",
                Map.of("Authorization", "Bearer {{ .apikey }}"),
                "forwardUnmatchedRequests",
                true,
                "authenticateURLsMatching",
                "^http://127\\.0\\.0\\.1:" + http + "/args"));
    try (var optIn = new TestListener(new GenericHttpConnector(), List.of(svc))) {
      var unmatched = Curl.viaProxy(optIn.port(), "http://127.0.0.1:" + http + "/headers");
      assertThat(unmatched.out()).startsWith("auth=\n").doesNotContain(API_KEY);
      var matched = Curl.viaProxy(optIn.port(), "http://127.0.0.1:" + http + "/args");
      assertThat(matched.out()).startsWith("args=");
    }
  }

  @Test
  void largeResponsesStreamIntactToSlowAndConcurrentClients() throws Exception {
    String expected = ItEnv.get("SECRETLESS_IT_NGINX_BIG_SHA256");
    String url = "http://127.0.0.1:" + http + "/big.bin";
    List<java.util.concurrent.CompletableFuture<String>> downloads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      boolean slow = i == 0; // a slow reader makes the broker pause reading the upstream
      downloads.add(
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  Path out = Files.createTempFile("big", ".bin");
                  try {
                    var r =
                        slow
                            ? Curl.viaProxy(
                                forward.port(), "--limit-rate", "16M", "-o", out + "", url)
                            : Curl.viaProxy(forward.port(), "-o", out + "", url);
                    assertThat(r.exit()).as(r.err()).isZero();
                    return java.util.HexFormat.of()
                        .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256")
                                .digest(Files.readAllBytes(out)));
                  } finally {
                    Files.delete(out);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    for (var d : downloads) {
      assertThat(d.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(expected);
    }
  }
}
