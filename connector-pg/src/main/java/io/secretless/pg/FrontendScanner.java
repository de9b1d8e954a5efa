package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Watches what the client sends during a pooled session: counts requests that a ReadyForQuery will
 * answer, notes extended-protocol messages awaiting a Sync, and intercepts a Terminate on an idle
 * session: the bytes before it go on, the Terminate does not (the backend is kept), and the client
 * connection is closed as PostgreSQL would. A Terminate on a busy session is forwarded as usual.
 */
final class FrontendScanner extends MessageScanner {
  private boolean terminated;

  FrontendScanner(SessionState state) {
    super(state);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (terminated) {
      buf.release(); // nothing follows a Terminate
      return;
    }
    int stop = scan(buf);
    if (stop < 0) {
      ctx.fireChannelRead(buf);
      return;
    }
    terminated = true;
    if (stop > buf.readerIndex()) {
      buf.writerIndex(stop);
      ctx.fireChannelRead(buf);
    } else {
      buf.release();
    }
    ctx.close();
  }

  /**
   * Bytes the client sent before the relay started, forwarded by the handshake itself: counted, and
   * a Terminate among them makes the session unusable.
   */
  void observe(ByteBuf held) {
    if (scan(held) >= 0) {
      state.broken();
    }
  }

  @Override
  boolean begin(byte type) {
    switch (type) {
      case 'Q', 'F' -> state.requestSent();
      case 'S' -> {
        state.requestSent();
        state.synced();
      }
      case 'P', 'B', 'D', 'E', 'C', 'H' -> state.extendedMessage();
      case 'd', 'c', 'f' -> {
        // COPY data, done, fail: part of a request already counted
      }
      case 'X' -> {
        if (state.idle()) {
          return true;
        }
        state.broken(); // forwarded: the backend ends
      }
      default -> state.broken();
    }
    return false;
  }
}
