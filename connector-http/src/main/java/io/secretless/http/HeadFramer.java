package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * What the request and response framers share: the bytes of a head that arrives in pieces are
 * collected (up to a limit) until it is whole; everything else is framed straight from the buffers
 * as read.
 */
abstract class HeadFramer extends ChannelInboundHandlerAdapter {
  /** Passed on after the last byte of each message (a response's includes informational ones). */
  static final Object END =
      new Object() {
        @Override
        public String toString() {
          return "END";
        }
      };

  private final int maxHead;
  private ByteBuf cumulation;

  HeadFramer(int maxHead) {
    this.maxHead = maxHead;
  }

  /** Frames what {@code buf} holds; what is left unread while {@link #inHead} waits for more. */
  abstract void frame(ChannelHandlerContext ctx, ByteBuf buf);

  /** Whether the next bytes belong to a head. */
  abstract boolean inHead();

  /** The head being collected has grown past the limit. */
  abstract void headTooLarge(ChannelHandlerContext ctx);

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf buf = in;
    if (cumulation != null) {
      buf = cumulation;
      cumulation = null;
      buf.writeBytes(in);
      in.release();
    }
    try {
      frame(ctx, buf);
    } finally {
      if (inHead() && buf.isReadable()) {
        keep(ctx, buf);
      } else {
        buf.release();
      }
    }
  }

  /** Keeps the start of a head that is not complete yet. */
  private void keep(ChannelHandlerContext ctx, ByteBuf buf) {
    if (buf.readableBytes() > maxHead) {
      buf.release();
      headTooLarge(ctx);
      return;
    }
    cumulation = ctx.alloc().heapBuffer(Math.max(1024, buf.readableBytes() * 2));
    cumulation.writeBytes(buf);
    buf.release();
  }

  /**
   * Moves the reader index past empty lines before a head (RFC 9112 section 2.2, as Netty's
   * decoders did) and returns it.
   */
  static int skipEmptyLines(ByteBuf buf) {
    int start = buf.readerIndex();
    int w = buf.writerIndex();
    while (start < w && (buf.getByte(start) == '\r' || buf.getByte(start) == '\n')) {
      start++;
    }
    buf.readerIndex(start);
    return start;
  }

  /** Offset just past the empty line ending the head starting at {@code from}, or -1. */
  static int headEnd(ByteBuf buf, int from, int to) {
    int i = from;
    while (i < to) {
      int lf = buf.indexOf(i, to, (byte) '\n');
      if (lf < 0 || lf + 1 >= to) {
        return -1;
      }
      byte b = buf.getByte(lf + 1);
      if (b == '\n') {
        return lf + 2;
      }
      if (b == '\r') {
        if (lf + 2 >= to) {
          return -1;
        }
        if (buf.getByte(lf + 2) == '\n') {
          return lf + 3;
        }
      }
      i = lf + 1;
    }
    return -1;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  /** Releases the buffers held between reads. */
  void release() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
