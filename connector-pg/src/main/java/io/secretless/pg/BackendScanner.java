package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/** Watches what the backend sends during a pooled session for ReadyForQuery and its status. */
final class BackendScanner extends MessageScanner {
  BackendScanner(SessionState state) {
    super(state);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      scan(buf);
    }
    ctx.fireChannelRead(msg);
  }

  /** Bytes the backend sent before the relay started, forwarded by the handshake itself. */
  void observe(ByteBuf held) {
    scan(held);
  }

  @Override
  boolean begin(byte type) {
    return false;
  }

  @Override
  void first(byte type, byte value) {
    if (type == 'Z') {
      state.readyForQuery((char) value);
    }
  }
}
