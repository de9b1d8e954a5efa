package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SASLINITIALRESPONSE">SASLInitialResponse</a>
 * ({@code p}): the chosen mechanism and the SCRAM client-first-message.
 */
public record SASLInitialResponse(String mechanism, byte[] data) implements FrontendMessage {
  public SASLInitialResponse {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginTagged(out, 'p');
    Wire.writeCString(out, mechanism);
    out.writeInt(data.length);
    out.writeBytes(data);
    Wire.endLength(out, at);
  }

  @Override
  public String toString() {
    return "SASLInitialResponse[mechanism=" + mechanism + ", " + data.length + " bytes]";
  }
}
