package io.secretless.warehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections served at once, so that a flood of idle sockets cannot exhaust file
 * descriptors or memory. A connection past the cap reads nothing: it is answered 503 {@code
 * too_many_connections} and closed. The first refusal is logged; the next is logged only after the
 * count has fallen back under the cap (a flood writes one line, not one per socket).
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);
  private final int max;
  private final ObjectMapper json;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicBoolean refusing = new AtomicBoolean();

  ConnectionLimit(int max, ObjectMapper json) {
    this.max = max;
    this.json = json;
  }

  /** Counts {@code ch} until it closes; false when it is over the cap (then refuse it). */
  boolean admit(Channel ch) {
    int n = open.incrementAndGet();
    ch.closeFuture().addListener(f -> open.decrementAndGet());
    if (n <= max) {
      refusing.set(false);
      return true;
    }
    if (refusing.compareAndSet(false, true)) {
      LOG.warn("warehouse API at its limit of {} connections; refusing new ones with 503", max);
    }
    ch.config().setAutoRead(false);
    return false;
  }

  /** The refused connection's only act: 503, then close. */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    var ex = new Exchange("", json, ctx.alloc());
    Dispatcher.error(
        ex,
        503,
        "too_many_connections",
        "the warehouse serves at most " + max + " connections at once; retry later");
    var response = Dispatcher.toResponse(ex);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
