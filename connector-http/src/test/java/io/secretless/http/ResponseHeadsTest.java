package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.secretless.config.ConfigError;
import io.secretless.core.Secret;
import io.secretless.credentials.Credentials;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseHeadsTest {
  private static final String TOKEN = "canary-token-123";

  private static Exchange exchange(HttpVersion version, HttpMethod method) {
    var service =
        TestServices.service(
            "api",
            "generic_http",
            Map.of("token", TOKEN),
            Map.of(
                "upstream",
                "http://127.0.0.1:1",
                "headers",
                Map.of("Authorization", "Bearer {{ .token }}")));
    List<ConfigError> errors = new ArrayList<>();
    HttpRoute route = HttpRoute.compile(service, new GenericHttpConnector(), errors).orElseThrow();
    Exchange ex = new Exchange(null, version, version.isKeepAliveDefault(), method.name());
    ex.creds = new RouteCredentials(new Credentials("api", Map.of("token", Secret.of(TOKEN))));
    ex.creds.render(route, null);
    return ex;
  }

  private static String rewrite(String upstreamHead, Exchange ex) {
    ResponseHead h = new ResponseHead();
    ByteBuf in = Unpooled.copiedBuffer(upstreamHead, StandardCharsets.ISO_8859_1);
    assertThat(h.parse(in, 0, in.readableBytes())).isTrue();
    in.release();
    ByteBuf out = ResponseHeads.toClient(h, ex, ByteBufAllocator.DEFAULT);
    try {
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  @Test
  void hopByHopHeadersAndHeadersRepeatingTheSecretAreDropped() {
    Exchange ex = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET);
    String out =
        rewrite(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                + "X-Echo: Bearer "
                + TOKEN
                + "\r\nX-Other: fine\r\nContent-Length: 2\r\n\r\n",
            ex);
    assertThat(out)
        .isEqualTo("HTTP/1.1 200 OK\r\nX-Other: fine\r\nContent-Length: 2\r\n\r\n")
        .doesNotContain(TOKEN);
    assertThat(ex.rechunk).isFalse();
  }

  @Test
  void bodyWithoutFramingIsChunkedForAnHttp11Client() {
    Exchange ex = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET);
    String out = rewrite("HTTP/1.0 200 OK\r\nX-A: b\r\n\r\n", ex);
    assertThat(out).isEqualTo("HTTP/1.1 200 OK\r\nX-A: b\r\ntransfer-encoding: chunked\r\n\r\n");
    assertThat(ex.rechunk).isTrue();
  }

  @Test
  void http10ClientLearnsTheEndOfAnUnframedBodyByTheClose() {
    Exchange ex = exchange(HttpVersion.HTTP_1_0, HttpMethod.GET);
    ex.clientKeepAlive = true;
    String out = rewrite("HTTP/1.1 200 OK\r\n\r\n", ex);
    assertThat(out).isEqualTo("HTTP/1.0 200 OK\r\n\r\n");
    assertThat(ex.clientKeepAlive).isFalse();
  }

  @Test
  void http10KeepAliveClientIsToldTheConnectionStaysOpen() {
    Exchange ex = exchange(HttpVersion.HTTP_1_0, HttpMethod.GET);
    ex.clientKeepAlive = true;
    String out = rewrite("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", ex);
    assertThat(out)
        .isEqualTo("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nconnection: keep-alive\r\n\r\n");
  }

  @Test
  void clientThatAskedToCloseIsToldSoAndAHeadResponseIsNotChunked() {
    Exchange ex = exchange(HttpVersion.HTTP_1_1, HttpMethod.HEAD);
    ex.clientKeepAlive = false;
    String out = rewrite("HTTP/1.1 200 OK\r\n\r\n", ex);
    assertThat(out).isEqualTo("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n");
    assertThat(ex.rechunk).isFalse();
  }

  @Test
  void trailerLineRepeatingTheSecretIsDroppedAndTheOthersKept() {
    Exchange ex = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET);
    ByteBuf in =
        Unpooled.copiedBuffer(
            "X-Checksum: abc\r\nX-Echo: Bearer " + TOKEN + "\r\nX-Other: 1\r\n\r\n",
            StandardCharsets.ISO_8859_1);
    ByteBuf out = ResponseHeads.trailers(in, ex.creds);
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .isEqualTo("X-Checksum: abc\r\nX-Other: 1\r\n\r\n");
    out.release();
  }
}
