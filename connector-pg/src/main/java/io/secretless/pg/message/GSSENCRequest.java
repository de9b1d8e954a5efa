package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-GSSENCREQUEST">GSSENCRequest</a>:
 * asks for GSSAPI encryption; the broker always answers {@code N}.
 */
public record GSSENCRequest() implements FrontendMessage {
  public static final int CODE = 80877104;

  @Override
  public void encode(ByteBuf out) {
    out.writeInt(8);
    out.writeInt(CODE);
  }
}
