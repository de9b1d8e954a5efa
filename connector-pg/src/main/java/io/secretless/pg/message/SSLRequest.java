package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SSLREQUEST">SSLRequest</a>:
 * asks to switch to TLS; answered by a single byte ({@link SslResponse}).
 */
public record SSLRequest() implements FrontendMessage {
  public static final int CODE = 80877103;

  @Override
  public void encode(ByteBuf out) {
    out.writeInt(8);
    out.writeInt(CODE);
  }
}
