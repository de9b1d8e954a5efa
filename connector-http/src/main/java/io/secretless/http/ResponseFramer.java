package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Finds where each upstream response begins and ends without decoding it into HTTP objects: it
 * parses the head ({@link ResponseHead}, passed on and valid only during that call), then passes
 * the body on as slices of the bytes read (chunked bodies included, chunk sizes and trailers as
 * they came), then {@link #END}. A malformed head or chunk closes the connection.
 *
 * <p>Which responses have no body depends on the request (HEAD), so the sender says what it sent
 * with {@link #expectResponseTo}; a connection carries one request at a time.
 */
final class ResponseFramer extends HeadFramer {
  /** The longest response head accepted (Netty's decoder allowed 8 KiB of headers). */
  static final int MAX_HEAD = 64 * 1024;

  private enum State {
    HEAD,
    FIXED,
    CHUNKED,
    UNTIL_CLOSE,
    FAILED
  }

  private final ResponseHead head = new ResponseHead();
  private final ChunkedBody chunks = new ChunkedBody();
  private State state = State.HEAD;
  private boolean headRequest;
  private long remaining;
  private ByteBuf trailers;

  /** The request just sent was (not) a HEAD request: its response has no body. */
  void expectResponseTo(boolean headRequest) {
    this.headRequest = headRequest;
  }

  ResponseFramer() {
    super(MAX_HEAD);
  }

  @Override
  boolean inHead() {
    return state == State.HEAD;
  }

  @Override
  void headTooLarge(ChannelHandlerContext ctx) {
    fail(ctx);
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
          if (remaining == 0) {
            state = State.HEAD;
            ctx.fireChannelRead(body);
            ctx.fireChannelRead(END);
          } else {
            ctx.fireChannelRead(body);
          }
        }
        case CHUNKED -> {
          if (!chunked(ctx, buf)) {
            return;
          }
        }
        case UNTIL_CLOSE -> ctx.fireChannelRead(buf.readRetainedSlice(buf.readableBytes()));
        case FAILED -> buf.skipBytes(buf.readableBytes());
      }
    }
  }

  /**
   * Passes on chunked body bytes up to the last chunk as slices; the trailer section is collected
   * and passed on whole as {@link Trailers} (the broker checks its lines for echoed secrets),
   * unless it is empty. False when the body is malformed.
   */
  private boolean chunked(ChannelHandlerContext ctx, ByteBuf buf) {
    int from = buf.readerIndex();
    boolean trailerBytes = chunks.inTrailers();
    int to = chunks.scan(buf, from, buf.writerIndex());
    if (to < 0) {
      fail(ctx);
      return false;
    }
    buf.readerIndex(to);
    if (trailerBytes) {
      if (trailers == null) {
        trailers = ctx.alloc().heapBuffer(Math.max(64, to - from));
      }
      trailers.writeBytes(buf, from, to - from);
      if (trailers.readableBytes() > MAX_HEAD) {
        fail(ctx);
        return false;
      }
    } else if (to > from) {
      ctx.fireChannelRead(buf.retainedSlice(from, to - from));
    }
    if (chunks.ended()) {
      state = State.HEAD;
      ByteBuf t = trailers;
      trailers = null;
      if (t != null && t.readableBytes() > 2) {
        ctx.fireChannelRead(new Trailers(t));
      } else if (t != null) {
        ctx.fireChannelRead(t);
      }
      ctx.fireChannelRead(END);
    }
    return true;
  }

  /** The trailer section of a chunked response (its lines and the final empty line). */
  record Trailers(ByteBuf bytes) {}

  /** Parses a complete head at the reader index; false when more bytes are needed. */
  private boolean head(ChannelHandlerContext ctx, ByteBuf buf) {
    int start = skipEmptyLines(buf);
    int end = headEnd(buf, start, buf.writerIndex());
    if (end < 0) {
      return false;
    }
    if (end - start > MAX_HEAD || !head.parse(buf, start, end)) {
      fail(ctx);
      return false;
    }
    buf.readerIndex(end);
    int code = head.status();
    if ((code >= 100 && code < 200) || code == 204 || code == 304 || headRequest) {
      ctx.fireChannelRead(head);
      ctx.fireChannelRead(END);
    } else if (head.chunked()) {
      state = State.CHUNKED;
      chunks.reset();
      ctx.fireChannelRead(head);
    } else if (!head.transferEncoding() && head.contentLength() >= 0) {
      if (head.contentLength() == 0) {
        ctx.fireChannelRead(head);
        ctx.fireChannelRead(END);
      } else {
        state = State.FIXED;
        remaining = head.contentLength();
        ctx.fireChannelRead(head);
      }
    } else {
      state = State.UNTIL_CLOSE;
      ctx.fireChannelRead(head);
    }
    return true;
  }

  private void fail(ChannelHandlerContext ctx) {
    state = State.FAILED;
    ctx.close();
  }

  /** A body that runs until the close ends with it. */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    if (state == State.UNTIL_CLOSE) {
      state = State.HEAD;
      ctx.fireChannelRead(END);
    }
    ctx.fireChannelInactive();
  }

  @Override
  void release() {
    super.release();
    if (trailers != null) {
      trailers.release();
      trailers = null;
    }
  }
}
