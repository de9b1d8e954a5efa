package io.secretless.pg.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.secretless.pg.PgException;

/**
 * Fuzzes the client-side decoder: whatever a client sends, the decoder yields startup-phase
 * messages or a {@link PgException} (08P01), never another exception. Runs the stored inputs as a
 * regression test; {@code JAZZER_FUZZ=1 mvn test -Dtest=FrontendDecoderFuzzTest} fuzzes.
 */
class FrontendDecoderFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void decoderYieldsMessagesOrAProtocolError(byte[] input) {
    EmbeddedChannel channel = new EmbeddedChannel(new FrontendDecoder());
    int half = input.length / 2; // two reads, to exercise partial packets
    expectingOnlyProtocolErrors(() -> channel.writeInbound(Unpooled.wrappedBuffer(input, 0, half)));
    expectingOnlyProtocolErrors(
        () -> channel.writeInbound(Unpooled.wrappedBuffer(input, half, input.length - half)));
    for (Object m = channel.readInbound(); m != null; m = channel.readInbound()) {
      assertThat(m).isInstanceOf(FrontendMessage.class);
      if (m instanceof StartupMessage s) {
        assertThat(s.majorVersion()).isEqualTo(3);
      }
    }
    expectingOnlyProtocolErrors(channel::finishAndReleaseAll);
  }

  private static void expectingOnlyProtocolErrors(Runnable action) {
    try {
      action.run();
    } catch (DecoderException e) {
      assertThat(e.getCause()).isInstanceOf(PgException.class);
      assertThat(((PgException) e.getCause()).sqlState()).isEqualTo("08P01");
    }
  }
}
