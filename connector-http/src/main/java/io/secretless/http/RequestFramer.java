package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Splits a client's bytes into requests without decoding them into HTTP objects: for each request a
 * {@link RequestHead}, then its body as slices of the bytes read (a chunked body with its chunk
 * sizes, extensions and trailers as they came), then {@link #END}. A request that cannot be
 * forwarded safely is passed on as a {@link MalformedRequest} and everything after it is dropped:
 * the client gets the error and the connection closes.
 */
final class RequestFramer extends HeadFramer {
  /** The longest request head accepted (Netty's decoder allowed a 4 KiB line + 8 KiB headers). */
  static final int MAX_HEAD = 16 * 1024;

  private enum State {
    HEAD,
    FIXED,
    CHUNKED,
    FAILED
  }

  private final ChunkedRequestBody chunks = new ChunkedRequestBody();
  private State state = State.HEAD;
  private long remaining;

  RequestFramer() {
    super(MAX_HEAD);
  }

  @Override
  boolean inHead() {
    return state == State.HEAD;
  }

  @Override
  void headTooLarge(ChannelHandlerContext ctx) {
    fail(ctx, tooLarge());
  }

  private static MalformedRequest tooLarge() {
    return new MalformedRequest(
        HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
        "the request line and headers exceed " + MAX_HEAD / 1024 + " KiB");
  }

  @Override
  void frame(ChannelHandlerContext ctx, ByteBuf buf) {
    while (buf.isReadable()) {
      switch (state) {
        case HEAD -> {
          if (!head(ctx, buf)) {
            return;
          }
        }
        case FIXED -> {
          int n = (int) Math.min(remaining, buf.readableBytes());
          remaining -= n;
          ByteBuf body = buf.readRetainedSlice(n);
          ctx.fireChannelRead(body);
          if (remaining == 0) {
            state = State.HEAD;
            ctx.fireChannelRead(END);
          }
        }
        case CHUNKED -> {
          int from = buf.readerIndex();
          int to = chunks.scan(buf, from, buf.writerIndex());
          if (to < 0) {
            fail(ctx, MalformedRequest.bad("malformed chunked body"));
            buf.skipBytes(buf.readableBytes());
            return;
          }
          ByteBuf body = buf.retainedSlice(from, to - from);
          buf.readerIndex(to);
          ctx.fireChannelRead(body);
          if (chunks.ended()) {
            state = State.HEAD;
            ctx.fireChannelRead(END);
          }
        }
        case FAILED -> buf.skipBytes(buf.readableBytes());
      }
    }
  }

  /** Parses a complete head at the reader index; false when more bytes are needed. */
  private boolean head(ChannelHandlerContext ctx, ByteBuf buf) {
    int start = skipEmptyLines(buf);
    int w = buf.writerIndex();
    int end = headEnd(buf, start, Math.min(w, start + MAX_HEAD + 4));
    if (end < 0) {
      if (w - start > MAX_HEAD) {
        fail(ctx, tooLarge());
      }
      return false;
    }
    if (end - start > MAX_HEAD) {
      fail(ctx, tooLarge());
      return false;
    }
    RequestHead head;
    try {
      head = RequestHead.parse(buf, start, end);
    } catch (MalformedRequest e) {
      fail(ctx, e);
      return false;
    }
    buf.readerIndex(end);
    ctx.fireChannelRead(head);
    if (head.chunked()) {
      state = State.CHUNKED;
      chunks.reset();
    } else if (head.contentLength() > 0) {
      state = State.FIXED;
      remaining = head.contentLength();
    } else {
      ctx.fireChannelRead(END);
    }
    return true;
  }

  private void fail(ChannelHandlerContext ctx, MalformedRequest why) {
    state = State.FAILED;
    ctx.fireChannelRead(why);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }
}
