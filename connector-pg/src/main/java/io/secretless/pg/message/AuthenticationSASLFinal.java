package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONSASLFINAL">AuthenticationSASLFinal</a>:
 * the SCRAM server-final-message with the server signature the broker verifies.
 */
public record AuthenticationSASLFinal(byte[] data) implements Authentication {
  public AuthenticationSASLFinal {
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
    out.writeInt(SASL_FINAL);
    out.writeBytes(data);
  }
}
