package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONSASLCONTINUE">AuthenticationSASLContinue</a>:
 * the SCRAM server-first-message.
 */
public record AuthenticationSASLContinue(byte[] data) implements Authentication {
  public AuthenticationSASLContinue {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeByte('R');
    out.writeInt(8 + data.length);
    out.writeInt(SASL_CONTINUE);
    out.writeBytes(data);
  }
}
