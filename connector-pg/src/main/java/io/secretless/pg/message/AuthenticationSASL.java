package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONSASL">AuthenticationSASL</a>:
 * the SASL mechanisms the backend offers, e.g. {@code SCRAM-SHA-256-PLUS}, {@code SCRAM-SHA-256}.
 */
public record AuthenticationSASL(List<String> mechanisms) implements Authentication {
  public AuthenticationSASL {
    mechanisms = List.copyOf(mechanisms);
  }

  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginTagged(out, 'R');
    out.writeInt(SASL);
    mechanisms.forEach(m -> Wire.writeCString(out, m));
    out.writeByte(0);
    Wire.endLength(out, at);
  }
}
