package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseFramerTest {
  /** Records what the framer passes on: "head 200", body text, "END". */
  private static final class Events extends ChannelInboundHandlerAdapter {
    final List<String> events = new ArrayList<>();
    final StringBuilder body = new StringBuilder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ResponseHead h) {
        events.add("head " + h.status());
      } else if (msg instanceof ByteBuf b) {
        body.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      } else if (msg instanceof ResponseFramer.Trailers t) {
        body.append("[trailers]").append(t.bytes().toString(StandardCharsets.ISO_8859_1));
        t.bytes().release();
      } else if (msg == ResponseFramer.END) {
        events.add("END " + body);
        body.setLength(0);
      }
    }
  }

  private final ResponseFramer framer = new ResponseFramer();
  private final Events events = new Events();
  private final EmbeddedChannel ch = new EmbeddedChannel(framer, events);

  /** Feeds {@code text} in pieces of {@code step} bytes. */
  private void feed(String text, int step) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += step) {
      ch.writeInbound(Unpooled.copiedBuffer(bytes, i, Math.min(step, bytes.length - i)));
    }
  }

  @Test
  void contentLengthBodyEndsAfterItsLengthInEverySplitAndTheNextResponseFollows() {
    String two =
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
            + "HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nno!";
    for (int step = 1; step <= two.length(); step++) {
      events.events.clear();
      feed(two, step);
      assertThat(events.events).containsExactly("head 200", "END hello", "head 404", "END no!");
    }
  }

  @Test
  void chunkedBodyIsPassedAsItCameWithExtensionsAndTrailersSeparateInEverySplit() {
    String chunks = "5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n";
    String trailers = "X-Trailer: t\r\n\r\n";
    String text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + trailers;
    String next = "HTTP/1.1 204 No Content\r\n\r\n";
    for (int step = 1; step <= text.length() + next.length(); step++) {
      events.events.clear();
      feed(text + next, step);
      assertThat(events.events)
          .containsExactly(
              "head 200", "END " + chunks + "[trailers]" + trailers, "head 204", "END ");
    }
  }

  @Test
  void chunkedBodyWithoutTrailersIsPassedWholeAsBodyInEverySplit() {
    String body = "5\r\nhello\r\n0\r\n\r\n";
    String text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    for (int step = 1; step <= text.length(); step++) {
      events.events.clear();
      feed(text, step);
      assertThat(events.events).containsExactly("head 200", "END " + body);
    }
  }

  @Test
  void responseToHeadHasNoBodyDespiteItsContentLength() {
    framer.expectResponseTo(true);
    feed("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", 100);
    assertThat(events.events).containsExactly("head 200", "END ");
  }

  @Test
  void informationalResponseEndsAtItsHeadAndTheFinalOneFollows() {
    feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 7);
    assertThat(events.events).containsExactly("head 100", "END ", "head 200", "END ok");
  }

  @Test
  void bodyWithoutFramingEndsWithTheConnection() {
    feed("HTTP/1.0 200 OK\r\n\r\nuntil the end", 4);
    assertThat(events.events).containsExactly("head 200");
    ch.close();
    assertThat(events.events).containsExactly("head 200", "END until the end");
  }

  @Test
  void malformedStatusLineClosesTheConnection() {
    feed("HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n", 100);
    assertThat(ch.isOpen()).isFalse();
    assertThat(events.events).isEmpty();
  }

  @Test
  void twoContentLengthsCloseTheConnection() {
    feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", 100);
    assertThat(ch.isOpen()).isFalse();
    assertThat(events.events).isEmpty();
  }

  @Test
  void badChunkSizeClosesTheConnection() {
    feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100);
    assertThat(ch.isOpen()).isFalse();
    assertThat(events.events).containsExactly("head 200");
  }

  @Test
  void headLongerThanTheLimitClosesTheConnection() {
    feed("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(ResponseFramer.MAX_HEAD + 10), 4096);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void headParserReadsStatusVersionFramingAndKeepAlive() {
    ResponseHead h = new ResponseHead();
    String text =
        "HTTP/1.0 201 Created\r\nConnection: Keep-Alive\r\nX-Folded: a\r\n b\r\n"
            + "Transfer-Encoding: gzip, Chunked\r\n\r\n";
    ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    assertThat(h.parse(buf, 0, buf.readableBytes())).isTrue();
    assertThat(h.status()).isEqualTo(201);
    assertThat(h.http11()).isFalse();
    assertThat(h.keepAlive()).isTrue();
    assertThat(h.chunked()).isTrue();
    assertThat(h.headerCount()).isEqualTo(3);
    assertThat(h.kind(0)).isEqualTo(ResponseHead.Kind.CONNECTION);
    assertThat(new String(h.bytes, h.lineStart(1), h.lineEnd(1) - h.lineStart(1)))
        .isEqualTo("X-Folded: a   b");
    buf.release();
  }
}
