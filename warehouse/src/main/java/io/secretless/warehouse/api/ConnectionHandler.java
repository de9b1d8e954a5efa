package io.secretless.warehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.secretless.warehouse.WarehouseException.ErrorCode;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests, answered one at a time in arrival order (so pipelined requests get
 * their responses in order). Each request's route runs on the executor (a virtual thread per
 * request); the response is written back on the event loop, then the next queued request starts.
 * {@code Connection: close} and HTTP/1.0 without keep-alive close after the response; a read
 * timeout ({@link IdleStateEvent}) closes a connection that has no request in progress. While the
 * channel is not writable (the client does not read its responses) no request is started and
 * nothing is read: memory per connection stays bounded however many requests it pipelines.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

  /** Past this many queued requests the connection is not read until the queue drains. */
  private static final int MAX_QUEUED = 16;

  /** Requests one read may queue; more are refused with 429 (the codec's own cap is lifted). */
  static final int MAX_PIPELINED = 128;

  private final Dispatcher dispatcher;
  private final Executor executor;
  private final ObjectMapper json;
  private final long maxRequestBytes;
  private final ArrayDeque<RequestAssembler.Incoming> queue = new ArrayDeque<>();
  private String ip = "";
  private boolean busy;
  private boolean closing;
  private boolean full;

  ConnectionHandler(
      Dispatcher dispatcher, Executor executor, ObjectMapper json, long maxRequestBytes) {
    this.dispatcher = dispatcher;
    this.executor = executor;
    this.json = json;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress peer
        && peer.getAddress() != null) {
      ip = peer.getAddress().getHostAddress();
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof RequestAssembler.Incoming incoming)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (closing) {
      release(incoming);
      return;
    }
    if (full) {
      release(incoming);
      return;
    }
    if (queue.size() >= MAX_PIPELINED) {
      // One read can hold thousands of small pipelined requests, all decoded at once: answer the
      // ones queued, then refuse the rest and close, rather than queue without bound.
      release(incoming);
      full = true;
      queue.add(
          new RequestAssembler.Incoming.Refused(
              429,
              "too_many_requests",
              "more than "
                  + MAX_PIPELINED
                  + " pipelined requests waiting for their responses; read responses before"
                  + " sending more"));
      ctx.channel().config().setAutoRead(false);
      return;
    }
    queue.add(incoming);
    if (queue.size() >= MAX_QUEUED) {
      ctx.channel().config().setAutoRead(false);
    }
    if (!busy) {
      next(ctx);
    }
  }

  private void next(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      // The client is not reading its responses: start no more requests and read no more until it
      // does (channelWritabilityChanged), so pipelined requests cannot pile up responses in memory.
      ctx.channel().config().setAutoRead(false);
      return;
    }
    RequestAssembler.Incoming incoming = queue.poll();
    if (incoming == null) {
      if (!ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
      return;
    }
    busy = true;
    switch (incoming) {
      case RequestAssembler.Incoming.Refused r ->
          errorReply(ctx, r.status(), r.code(), r.message());
      case RequestAssembler.Incoming.TooLarge t -> {
        String message = "request body larger than " + maxRequestBytes + " bytes";
        errorReply(
            ctx, ErrorCode.TOO_LARGE.status(), ErrorCode.TOO_LARGE.wire(), message, t.close());
      }
      case RequestAssembler.Incoming.Request r -> dispatch(ctx, r.request());
    }
  }

  private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    Exchange ex;
    try {
      ex = new Exchange(request, ip, json, ctx.alloc());
    } finally {
      request.release();
    }
    try {
      executor.execute(
          () -> {
            FullHttpResponse response;
            try {
              response = dispatcher.respond(ex);
            } catch (Throwable t) {
              LOG.error("warehouse API request failed without a response; closing", t);
              ctx.close();
              throw t;
            }
            try {
              ctx.executor().execute(() -> send(ctx, response, keepAlive, http10));
            } catch (RejectedExecutionException e) {
              response.release(); // the event loop is gone: the server is shutting down
            }
          });
    } catch (RejectedExecutionException e) {
      ex.discardBody();
      ctx.close(); // the server is shutting down
    }
  }

  private void errorReply(ChannelHandlerContext ctx, int status, String code, String message) {
    errorReply(ctx, status, code, message, true);
  }

  private void errorReply(
      ChannelHandlerContext ctx, int status, String code, String message, boolean close) {
    var ex = new Exchange(ip, json, ctx.alloc());
    Dispatcher.error(ex, status, code, message);
    send(ctx, Dispatcher.toResponse(ex), !close, false);
  }

  private void send(
      ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean http10) {
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      closing = true;
      queue.forEach(ConnectionHandler::release);
      queue.clear();
      written.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    busy = false;
    next(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && !busy && !closing) {
      next(ctx);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // Idle keep-alive connection, a client that stalled mid-request, or one that has not read
      // its responses for the whole read timeout.
      if (!busy && queue.isEmpty() || !ctx.channel().isWritable()) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("closing warehouse API connection from {}: {}", ip, cause.toString());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    queue.forEach(ConnectionHandler::release);
    queue.clear();
    ctx.fireChannelInactive();
  }

  private static void release(RequestAssembler.Incoming incoming) {
    if (incoming instanceof RequestAssembler.Incoming.Request r) {
      r.request().release();
    }
  }
}
