package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestFramerTest {
  /** Records what the framer passes on: "GET /a HTTP/1.1", body text, "END", "400 message". */
  private static final class Events extends ChannelInboundHandlerAdapter {
    final List<String> events = new ArrayList<>();
    final List<RequestHead> heads = new ArrayList<>();
    final StringBuilder body = new StringBuilder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof RequestHead h) {
        heads.add(h);
        events.add(h.method() + " " + h.target() + " " + h.version());
      } else if (msg instanceof ByteBuf b) {
        body.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      } else if (msg == RequestFramer.END) {
        events.add("END " + body);
        body.setLength(0);
      } else if (msg instanceof MalformedRequest m) {
        events.add(m.status.code() + " " + m.getMessage());
      }
    }
  }

  private Events events = new Events();
  private EmbeddedChannel ch = new EmbeddedChannel(new RequestFramer(), events);

  /** Feeds {@code text} in pieces of {@code step} bytes. */
  private List<String> feed(String text, int step) {
    events = new Events();
    ch = new EmbeddedChannel(new RequestFramer(), events);
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += step) {
      ch.writeInbound(Unpooled.copiedBuffer(bytes, i, Math.min(step, bytes.length - i)));
    }
    return events.events;
  }

  @Test
  void pipelinedRequestsWithLengthAndChunkedBodiesAreFramedAtEverySplit() {
    String chunked = "5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n";
    String text =
        "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /b?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "PUT http://api.example/c HTTP/1.1\r\nHost: api.example\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
            + chunked
            + "\r\nHEAD / HTTP/1.0\r\n\r\n";
    for (int step = 1; step <= text.length(); step++) {
      assertThat(feed(text, step))
          .as("split every %d bytes", step)
          .containsExactly(
              "GET /a HTTP/1.1",
              "END ",
              "POST /b?q=1 HTTP/1.1",
              "END hello",
              "PUT http://api.example/c HTTP/1.1",
              "END " + chunked,
              "HEAD / HTTP/1.0",
              "END ");
    }
  }

  @Test
  void headerLinesFramingAndKeepAliveAreParsedFromTheBytes() {
    feed(
        "POST /x HTTP/1.1\r\nhost: h:1\r\nProxy-Authorization: Basic eA==\r\n"
            + "Connection: close, X-Hop\r\nX-Hop: 1\r\nX-Keep:  v a l \r\ncontent-length: 0\r\n\r\n",
        1000);
    RequestHead h = events.heads.get(0);
    assertThat(h.headerCount()).isEqualTo(6);
    assertThat(h.kind(0)).isEqualTo(RequestHead.Kind.HOST);
    assertThat(h.kind(1)).isEqualTo(RequestHead.Kind.HOP_BY_HOP);
    assertThat(h.kind(2)).isEqualTo(RequestHead.Kind.HOP_BY_HOP);
    assertThat(h.kind(3)).isEqualTo(RequestHead.Kind.HOP_BY_HOP);
    assertThat(h.kind(4)).isEqualTo(RequestHead.Kind.OTHER);
    assertThat(h.header("x-keep")).isEqualTo("v a l");
    assertThat(h.keepAlive()).isFalse();
    assertThat(h.hasHost()).isTrue();
    assertThat(h.contentLength()).isZero();
    assertThat(h.bodyless()).isTrue();
    assertThat(h.toHttpRequest().headers().get("X-Keep")).isEqualTo("v a l");
  }

  @Test
  void http10IsKeptAliveOnlyWhenItAsks() {
    feed("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1000);
    assertThat(events.heads).extracting(RequestHead::keepAlive).containsExactly(false, true);
  }

  /** Requests a proxy must refuse: each could be framed differently by the upstream. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length\t: 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\rb\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\n\n",
        "GET / HTTP/1.1\r\nHost: x\n\r\n",
        "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\u0000b\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
        "GET / HTTP/1.1\r\n Host: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nX Y: a\r\n\r\n",
        "GET / HTTP/1.1\r\n: a\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n",
        "GET /\u0001 HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
      })
  void smugglingShapesAreRefusedWith400AndNothingAfterThemIsFramed(String request) {
    String text = request + "GET /after HTTP/1.1\r\n\r\n";
    for (int step = 1; step <= text.length(); step++) {
      List<String> got = feed(text, step);
      assertThat(got).as("split every %d bytes", step).isNotEmpty();
      assertThat(got.get(got.size() - 1))
          .as("split every %d bytes", step)
          .startsWith("400 malformed HTTP request: ");
      assertThat(got).noneMatch(e -> e.contains("/after"));
    }
  }

  @Test
  void everyRequestNettysValidatingDecoderRefusesIsRefusedToo() throws Exception {
    var method =
        RequestFramerTest.class.getDeclaredMethod(
            "smugglingShapesAreRefusedWith400AndNothingAfterThemIsFramed", String.class);
    String[] cases = method.getAnnotation(ValueSource.class).strings();
    String[] extra = {
      "GET / HTTP/1.1\r\nX: \u007f\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    };
    int refusedByNetty = 0;
    for (String c : concat(cases, extra)) {
      if (nettyRefuses(c)) {
        refusedByNetty++;
        assertThat(feed(c, 1000)).as(c).anyMatch(e -> e.startsWith("400 "));
      }
    }
    assertThat(refusedByNetty).as("cases Netty's decoder refuses").isGreaterThan(10);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static boolean nettyRefuses(String request) {
    EmbeddedChannel netty = new EmbeddedChannel(new HttpRequestDecoder());
    netty.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    boolean failed = false;
    Object o;
    while ((o = netty.readInbound()) != null) {
      failed |= o instanceof HttpObject h && h.decoderResult().isFailure();
      ReferenceCountUtil.release(o);
    }
    netty.finishAndReleaseAll();
    return failed;
  }

  @Test
  void aHeadOver16KiBIsRefusedWith431WhetherOrNotItsEndArrived() {
    String big = "GET / HTTP/1.1\r\nX: " + "a".repeat(RequestFramer.MAX_HEAD) + "\r\n";
    assertThat(feed(big, 1000)).last().asString().startsWith("431 ");
    assertThat(feed(big + "\r\n", 100_000)).last().asString().startsWith("431 ");
  }

  @Test
  void otherHttpVersionsAreRefusedWith505() {
    assertThat(feed("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 1000))
        .containsExactly(
            "505 HTTP version 2.0 is not supported: the broker speaks HTTP/1.1" + " and HTTP/1.0");
  }

  @Test
  void emptyLinesBeforeARequestAreIgnored() {
    assertThat(feed("\r\n\r\nGET / HTTP/1.1\r\n\r\n", 3)).containsExactly("GET / HTTP/1.1", "END ");
  }
}
