package io.secretless.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands responses to the {@link UpstreamLeg} whose
 * request the connection serves, or, while idle in the pool, closes on anything unexpected.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
  final UpstreamPool.Key key;
  final ResponseFramer framer;
  private final UpstreamPool pool;
  private UpstreamLeg owner;

  UpstreamHandler(UpstreamPool.Key key, UpstreamPool pool, ResponseFramer framer) {
    this.key = key;
    this.pool = pool;
    this.framer = framer;
  }

  void bind(UpstreamLeg owner) {
    this.owner = owner;
  }

  void unbind() {
    this.owner = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (owner != null) {
      owner.onUpstream(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (owner != null) {
      owner.flushClient();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (owner != null && ctx.channel().isWritable()) {
      owner.onUpstreamWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.remove(key, ctx.channel());
    UpstreamLeg o = owner;
    owner = null;
    if (o != null) {
      o.onUpstreamClosed(ctx.channel(), null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamLeg o = owner;
    owner = null;
    if (o != null) {
      o.onUpstreamClosed(ctx.channel(), cause);
    }
    ctx.close();
  }
}
