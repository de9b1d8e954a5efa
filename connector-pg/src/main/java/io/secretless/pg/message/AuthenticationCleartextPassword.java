package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONCLEARTEXTPASSWORD">AuthenticationCleartextPassword</a>.
 */
public record AuthenticationCleartextPassword() implements Authentication {
  @Override
  public void encode(ByteBuf out) {
    out.writeByte('R');
    out.writeInt(8);
    out.writeInt(CLEARTEXT_PASSWORD);
  }
}
