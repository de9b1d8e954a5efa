package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer fuzz target for the request parser: any bytes, given whole or in pieces, produce the same
 * requests (heads, body bytes, ends) or the same refusal, and nothing but those events. Under plain
 * JUnit it replays the seeds in {@code RequestFramerFuzzTestInputs/}; {@code JAZZER_FUZZ=1 mvn test
 * -Dtest=RequestFramerFuzzTest} fuzzes.
 */
class RequestFramerFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void framingDoesNotDependOnHowTheBytesAreSplit(byte[] input) {
    int step = input.length == 0 ? 1 : 1 + (input[0] & 0x0f);
    assertThat(events(input, step)).isEqualTo(events(input, Math.max(1, input.length)));
  }

  private static List<String> events(byte[] input, int step) {
    List<String> out = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new RequestFramer(),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof RequestHead h) {
                  out.add(h.method() + " " + h.target() + " " + h.headerCount());
                } else if (msg instanceof ByteBuf b) {
                  body.append(b.toString(StandardCharsets.ISO_8859_1));
                  b.release();
                } else if (msg == RequestFramer.END) {
                  out.add("END " + body);
                  body.setLength(0);
                } else if (msg instanceof MalformedRequest m) {
                  out.add(m.status.code() + " " + m.getMessage());
                  body.setLength(0); // slices of a broken body may have gone before it
                } else {
                  throw new AssertionError("unexpected event " + msg);
                }
              }
            });
    for (int i = 0; i < input.length; i += step) {
      ch.writeInbound(Unpooled.copiedBuffer(input, i, Math.min(step, input.length - i)));
    }
    ch.finishAndReleaseAll();
    if (!body.isEmpty()) {
      out.add("PARTIAL " + body); // a body still arriving
    }
    return out;
  }
}
