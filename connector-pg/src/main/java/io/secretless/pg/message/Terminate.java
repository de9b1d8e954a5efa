package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-TERMINATE">Terminate</a>
 * ({@code X}): a polite goodbye.
 */
public record Terminate() implements FrontendMessage {
  @Override
  public void encode(ByteBuf out) {
    out.writeByte('X');
    out.writeInt(4);
  }
}
