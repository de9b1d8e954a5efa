package io.secretless.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.secretless.pg.message.BackendKeyData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reset of a backend its client left, on an EmbeddedChannel standing in for the backend. */
class BackendResetTest {
  /** Stands in for the broker's relay toward the client that left. */
  private static final class OldRelay extends ChannelInboundHandlerAdapter {
    final List<Object> seen = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      seen.add(msg);
      ReferenceCountUtil.release(msg);
    }
  }

  @Test
  void theResetRemovesTheLeftClientsRelayAndParksTheBackendWithACleanPipeline() {
    EmbeddedChannel channel = new EmbeddedChannel();
    OldRelay oldRelay = new OldRelay();
    channel.pipeline().addLast(PgHandshake.BACKEND_SCANNER, new ChannelInboundHandlerAdapter());
    channel.pipeline().addLast("relay", oldRelay);
    BackendPool pool = new BackendPool("svc", PoolSettings.DEFAULT, new SimpleMeterRegistry());
    PooledBackend backend =
        new PooledBackend(channel, "key", new BackendKeyData(1, 2), Map.of("a", "b"));

    channel
        .pipeline()
        .replace(
            PgHandshake.BACKEND_SCANNER,
            BackendReset.NAME,
            new BackendReset(pool, backend, "DISCARD ALL", Duration.ofSeconds(10)));

    // A relay left behind would take the backend's next answers from the next client's relay.
    assertThat(channel.pipeline().get("relay")).isNull();
    ByteBuf query = channel.readOutbound();
    assertThat(query.toString(StandardCharsets.US_ASCII)).contains("DISCARD ALL");
    query.release();

    channel.writeInbound(commandComplete("DISCARD ALL"), readyForQuery('I'));

    assertThat(oldRelay.seen).isEmpty();
    assertThat(pool.idleCount()).isEqualTo(1);
    assertThat(channel.pipeline().names())
        .containsExactly(IdleBackendWatch.NAME, "DefaultChannelPipeline$TailContext#0");
    pool.close();
    channel.finishAndReleaseAll();
  }

  private static ByteBuf commandComplete(String tag) {
    byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
    return Unpooled.buffer().writeByte('C').writeInt(4 + t.length + 1).writeBytes(t).writeByte(0);
  }

  private static ByteBuf readyForQuery(char status) {
    return Unpooled.buffer().writeByte('Z').writeInt(5).writeByte(status);
  }
}
