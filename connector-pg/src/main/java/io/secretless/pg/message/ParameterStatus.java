package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-PARAMETERSTATUS">ParameterStatus</a>
 * ({@code S}): a run-time parameter such as {@code server_version}; relayed to the client.
 */
public record ParameterStatus(String name, String value) implements BackendMessage {
  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginTagged(out, 'S');
    Wire.writeCString(out, name);
    Wire.writeCString(out, value);
    Wire.endLength(out, at);
  }
}
