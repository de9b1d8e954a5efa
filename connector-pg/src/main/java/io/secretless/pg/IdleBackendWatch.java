package io.secretless.pg;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Guards a parked backend: an idle PostgreSQL session sends nothing, so any byte (typically the
 * FATAL of {@code pg_terminate_backend} or a server shutdown), an end of input or a close means it
 * must not be handed out.
 */
final class IdleBackendWatch extends ChannelInboundHandlerAdapter {
  static final String NAME = "pg-idle-watch";

  private final BackendPool pool;
  private final PooledBackend backend;

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  IdleBackendWatch(BackendPool pool, PooledBackend backend) {
    this.pool = pool;
    this.backend = backend;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.read(); // to hear of data or a close while parked
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
    pool.dropParked(backend, "unexpected_message");
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      pool.dropParked(backend, "backend_closed");
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.dropParked(backend, "backend_closed");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    pool.dropParked(backend, "backend_closed");
  }
}
