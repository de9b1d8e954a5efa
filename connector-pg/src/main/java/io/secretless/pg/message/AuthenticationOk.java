package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONOK">AuthenticationOk</a>:
 * the login succeeded. The broker sends it to the client once the backend sent it to the broker.
 */
public record AuthenticationOk() implements Authentication {
  @Override
  public void encode(ByteBuf out) {
    out.writeByte('R');
    out.writeInt(8);
    out.writeInt(OK);
  }
}
