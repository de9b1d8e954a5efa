package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SASLRESPONSE">SASLResponse</a>
 * ({@code p}): the SCRAM client-final-message, which carries the client proof; {@link #toString()}
 * shows its length only.
 */
public record SASLResponse(byte[] data) implements FrontendMessage {
  public SASLResponse {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginTagged(out, 'p');
    out.writeBytes(data);
    Wire.endLength(out, at);
  }

  @Override
  public String toString() {
    return "SASLResponse[" + data.length + " bytes]";
  }
}
