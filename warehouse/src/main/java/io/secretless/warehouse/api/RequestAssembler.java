package io.secretless.warehouse.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Turns the codec's request head and body chunks into whole requests of at most {@code maxBytes} of
 * body, in arrival order, as {@link Incoming} events. A body over the limit becomes a {@link
 * Incoming.TooLarge} and is read and dropped (up to {@link #DRAIN_LIMIT} more bytes, so the
 * connection stays usable and the client reads the 413 instead of a reset); past that, or when the
 * client waits for {@code 100 Continue}, the connection is closed after the 413. Anything the codec
 * cannot parse or whose Host header is missing or repeated (400), and a request that does not
 * arrive whole before its {@link RequestDeadline} (408), is an {@link Incoming.Refused}, after
 * which nothing more is read.
 */
final class RequestAssembler extends ChannelInboundHandlerAdapter {
  /**
   * How many bytes of an oversized body are read and dropped before giving up on the connection.
   */
  static final long DRAIN_LIMIT = 1 << 20;

  /** What the connection handler answers, one at a time, in order. */
  sealed interface Incoming {
    record Request(FullHttpRequest request) implements Incoming {}

    record TooLarge(boolean close) implements Incoming {}

    /**
     * An error reply, after which the connection is closed. {@code message} names the kind of
     * problem only: it never echoes the client's bytes.
     */
    record Refused(int status, String code, String message) implements Incoming {}
  }

  private final long maxBytes;
  private final RequestDeadline deadline;
  private HttpRequest head;
  private ByteBuf body;
  private boolean discarding;
  private long discarded;
  private boolean broken;

  RequestAssembler(long maxBytes, RequestDeadline deadline) {
    this.maxBytes = maxBytes;
    this.deadline = deadline;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (broken || !(msg instanceof HttpObject http)) {
        return;
      }
      if (http.decoderResult().isFailure()) {
        broken = true;
        dropBody();
        String reason = reason(http.decoderResult().cause());
        ctx.fireChannelRead(new Incoming.Refused(400, "bad_request", reason));
        return;
      }
      if (msg instanceof HttpRequest request) {
        start(ctx, request);
      }
      if (msg instanceof HttpContent content) {
        append(ctx, content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void start(ChannelHandlerContext ctx, HttpRequest request) {
    dropBody();
    discarding = false;
    discarded = 0;
    String hostProblem = hostProblem(request);
    if (hostProblem != null) {
      broken = true;
      ctx.fireChannelRead(new Incoming.Refused(400, "bad_request", hostProblem));
      return;
    }
    long length = HttpUtil.getContentLength(request, -1L);
    boolean expectsContinue = HttpUtil.is100ContinueExpected(request);
    if (length > maxBytes) {
      // A client waiting for 100 Continue sends no body: the decoder would take its next request
      // for this one's body, so close instead of draining.
      boolean close =
          expectsContinue || !HttpUtil.isKeepAlive(request) || length - maxBytes > DRAIN_LIMIT;
      discarding = true;
      ctx.fireChannelRead(new Incoming.TooLarge(close));
      return;
    }
    if (expectsContinue) {
      ctx.writeAndFlush(
              new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE))
          .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
    head = request;
    int initial = (int) Math.min(Math.max(length, 0), maxBytes);
    body = ctx.alloc().heapBuffer(initial);
  }

  private void append(ChannelHandlerContext ctx, HttpContent content) {
    ByteBuf chunk = content.content();
    if (discarding) {
      discarded += chunk.readableBytes();
      if (discarded > DRAIN_LIMIT) {
        broken = true;
        ctx.close();
      }
    } else if (head != null) {
      if (body.readableBytes() + (long) chunk.readableBytes() > maxBytes) {
        dropBody();
        discarding = true;
        ctx.fireChannelRead(new Incoming.TooLarge(false));
      } else {
        body.writeBytes(chunk);
      }
    }
    if (content instanceof LastHttpContent last) {
      deadline.requestDone();
      if (!discarding && head != null) {
        var full =
            new DefaultFullHttpRequest(
                head.protocolVersion(),
                head.method(),
                head.uri(),
                body,
                head.headers(),
                last.trailingHeaders());
        head = null;
        body = null;
        ctx.fireChannelRead(new Incoming.Request(full));
      }
      discarding = false;
    }
  }

  /**
   * RFC 9112 section 3.2: a server answers 400 to an HTTP/1.1 request without a Host header and to
   * any request with more than one. Null when the request is fine.
   */
  private static String hostProblem(HttpRequest request) {
    int hosts = request.headers().getAll(HttpHeaderNames.HOST).size();
    if (hosts > 1) {
      return "more than one Host header";
    }
    if (hosts == 0 && !request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      return "missing Host header (HTTP/1.1 requires one)";
    }
    return null;
  }

  private void dropBody() {
    head = null;
    if (body != null) {
      body.release();
      body = null;
    }
  }

  /** Names what is wrong, never with the request's bytes (the codec's messages quote them). */
  private static String reason(Throwable cause) {
    String m = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
    return switch (cause) {
      case TooLongHttpLineException e -> "request line too long";
      case TooLongHttpHeaderException e -> "request headers too large";
      case ContentLengthNotAllowedException e -> "Transfer-Encoding and Content-Length together";
      case IllegalArgumentException e when m.startsWith("Multiple Content-Length") ->
          "more than one Content-Length";
      case IllegalArgumentException e when m.startsWith("Content-Length value") ->
          "Content-Length is not a number";
      case IllegalArgumentException e when m.contains("transfer coding must be chunked") ->
          "Transfer-Encoding other than chunked";
      case IllegalArgumentException e when m.startsWith("Validation failed for header") ->
          "a header holds a forbidden character (a control character such as NUL or a bare CR)";
      case null, default -> "malformed HTTP request";
    };
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof RequestDeadline.Expired)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (!broken) {
      broken = true;
      dropBody();
      String message =
          "request not received in full within " + deadline.timeout().toMillis() + " ms";
      ctx.fireChannelRead(new Incoming.Refused(408, "request_timeout", message));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropBody();
    ctx.fireChannelInactive();
  }
}
