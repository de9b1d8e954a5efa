package io.secretless.warehouse.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the time from a request's first byte to its last, head and body together. A client that
 * trickles a byte every few seconds (slowloris) keeps resetting the read timeout, but not this
 * clock: when it runs out, {@link Expired} goes down the pipeline (the assembler turns it into a
 * 408 and reads nothing more). Sits before the HTTP codec to see the first raw byte; the assembler
 * stops the clock with {@link #requestDone()} once a request is whole. The clock does not run out
 * while the server itself has stopped reading (backpressure): that wait is the server's, not the
 * client's.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
  /** The user event fired when a request did not arrive in time. */
  enum Expired {
    INSTANCE
  }

  private final Duration timeout;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> clock;

  RequestDeadline(Duration timeout) {
    this.timeout = timeout;
  }

  Duration timeout() {
    return timeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    if (clock == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
      start();
    }
    context.fireChannelRead(msg);
  }

  /**
   * The request in progress is whole (or refused): the next one's clock starts at its first byte.
   */
  void requestDone() {
    if (clock != null) {
      clock.cancel(false);
      clock = null;
    }
  }

  private void start() {
    clock = ctx.executor().schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void expire() {
    if (!ctx.channel().config().isAutoRead()) {
      start();
      return;
    }
    clock = null;
    ctx.fireUserEventTriggered(Expired.INSTANCE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    requestDone();
    context.fireChannelInactive();
  }
}
