package io.secretless.broker;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Predicate;

/**
 * Copies bytes from its channel to the peer, untouched. Backpressure: the next read is asked for
 * only while the peer is writable, and resumes when the peer drains. Writes of one read batch are
 * flushed once, at read-complete. Half-close is propagated: end of input on one side shuts the
 * output of the other; the connection closes when both directions are done or either side closes.
 *
 * <p>On the client side, {@code reclaim} may take the backend back when the client ends (closes or
 * shuts its output): the relay then detaches from the backend, removing the backend's relay, and
 * only closes the client.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  static final String NAME = "relay";

  private final Channel peer;
  private final Counter bytes;
  private final Predicate<Channel> reclaim;
  private boolean detached;
  private boolean closing;

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  Relay(Channel peer, Counter bytes) {
    this(peer, bytes, p -> false);
  }

  Relay(Channel peer, Counter bytes, Predicate<Channel> reclaim) {
    this.peer = peer;
    this.bytes = bytes;
    this.reclaim = reclaim;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (detached) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBuf buf) {
      bytes.increment(buf.readableBytes());
    }
    peer.write(msg, peer.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (detached) {
      return;
    }
    peer.flush();
    if (peer.isWritable()) {
      ctx.read();
    }
  }

  /** This channel drained below the low water mark: the peer may read again. */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!detached && ctx.channel().isWritable()) {
      peer.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      Channel self = ctx.channel();
      if (reclaimed(ctx)) {
        self.close();
        return;
      }
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (peer instanceof DuplexChannel duplex && f.isSuccess()) {
                      duplex.shutdownOutput();
                      if (self instanceof DuplexChannel me && me.isOutputShutdown()) {
                        closeBoth(self);
                      }
                    } else {
                      closeBoth(self);
                    }
                  });
    } else if (event instanceof IdleStateEvent) {
      closeBoth(ctx.channel());
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (peer.isActive() && !reclaimed(ctx)) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Connection resets and the like end the connection; they are not broker errors.
    closeBoth(ctx.channel());
  }

  /** Whether the connector took the peer back; if so, the peer's relay is gone. */
  private boolean reclaimed(ChannelHandlerContext ctx) {
    if (detached) {
      return true;
    }
    if (closing || !peer.isActive() || !reclaim.test(peer)) {
      return false;
    }
    detached = true;
    Channel self = ctx.channel();
    if (peer.eventLoop().inEventLoop()) {
      removeRelayTo(peer, self);
    } else {
      peer.eventLoop().execute(() -> removeRelayTo(peer, self)); // after its set-up, also queued
    }
    return true;
  }

  /**
   * Removes {@code backend}'s relay toward {@code client}, if still there. Checked by its peer, not
   * found by name: run late (queued on another loop), a removal by name could take out the relay of
   * the backend's next client. Relays are added last, so if ours is still there it is the first
   * one. Looked up with {@code get(Class)}, which walks the pipeline without allocating: iterating
   * it copies every handler into a new LinkedHashMap (some 0.5 KB per pooled client connection).
   */
  private static void removeRelayTo(Channel backend, Channel client) {
    if (backend.pipeline().get(Relay.class) instanceof Relay r && r.peer == client) {
      backend.pipeline().remove(r);
    }
  }

  private void closeBoth(Channel self) {
    closing = true;
    self.close();
    if (!detached) {
      peer.close();
    }
  }
}
