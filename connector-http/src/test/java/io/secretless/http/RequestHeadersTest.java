package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.secretless.config.ConfigError;
import io.secretless.core.Secret;
import io.secretless.credentials.Credentials;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestHeadersTest {
  private static final String TOKEN = "canary-token-123";

  private static RequestHead head(String text) {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    return RequestHead.parse(Unpooled.wrappedBuffer(b), 0, b.length);
  }

  private static BoundRoute route(Map<String, Object> config) {
    var service = TestServices.service("api", "generic_http", Map.of("token", TOKEN), config);
    var route =
        HttpRoute.compile(service, new GenericHttpConnector(), new ArrayList<ConfigError>())
            .orElseThrow();
    return new BoundRoute(route, null, Optional.empty());
  }

  private static RouteCredentials creds() {
    return new RouteCredentials(new Credentials("api", Map.of("token", Secret.of(TOKEN))));
  }

  private static String upstream(RequestHead h, RequestTarget t, RouteCredentials c) {
    return new String(
        RequestHeaders.toUpstream(h, t, c, null, null, null), StandardCharsets.ISO_8859_1);
  }

  @Test
  void reverseProxyHeadDropsHopByHopAndProxyHeadersReplacesHostAndTheServicesHeaders() {
    BoundRoute r =
        route(
            Map.of(
                "upstream",
                "http://up.example:8081/base",
                "headers",
                Map.of("Authorization", "Bearer {{ .token }}"),
                "queryParams",
                Map.of("key", "{{ .token }}")));
    RequestTarget base = r.reverseBase();
    RequestTarget t =
        new RequestTarget(
            r,
            base.host(),
            base.port(),
            base.tls(),
            base.originUri() + "/x?y=1&key=client",
            base.hostHeader(),
            base.key());
    RequestHead h =
        head(
            "POST /x?y=1&key=client HTTP/1.0\r\nHost: 127.0.0.1:9\r\nProxy-Authorization: Basic eA==\r\n"
                + "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nUpgrade: h2c\r\n"
                + "authorization: client's own\r\nAccept: */*\r\nContent-Length: 2\r\n\r\n");
    assertThat(upstream(h, t, creds()))
        .isEqualTo(
            "POST /base/x?y=1&key="
                + TOKEN
                + " HTTP/1.1\r\nAccept: */*\r\nContent-Length: 2\r\nHost: up.example:8081\r\n"
                + "Authorization: Bearer "
                + TOKEN
                + "\r\n\r\n");
  }

  @Test
  void forwardProxyKeepsTheClientsHostAndUnmatchedRequestsGetTheTargetsHost() {
    BoundRoute r =
        route(
            Map.of(
                "authenticateURLsMatching",
                "^http://api",
                "headers",
                Map.of("X-Api-Key", "{{ .token }}")));
    RequestHead h =
        head("GET http://api.example/v1 HTTP/1.1\r\nHost: api.example\r\nX-Api-Key: x\r\n\r\n");
    var key = new UpstreamPool.Key("api.example", 80, null);
    var matched = new RequestTarget(r, "api.example", 80, false, "/v1", "api.example", key);
    assertThat(upstream(h, matched, creds()))
        .isEqualTo("GET /v1 HTTP/1.1\r\nHost: api.example\r\nX-Api-Key: " + TOKEN + "\r\n\r\n");
    var unmatched = new RequestTarget(null, "api.example", 80, false, "/v1", "other:81", key);
    assertThat(upstream(h, unmatched, RouteCredentials.none()))
        .isEqualTo("GET /v1 HTTP/1.1\r\nX-Api-Key: x\r\nHost: other:81\r\n\r\n");
  }
}
