package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-QUERY">Query</a>
 * ({@code Q}): a simple query; the broker sends one to reset a backend before pooling it.
 */
public record Query(String sql) implements FrontendMessage {
  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginTagged(out, 'Q');
    Wire.writeCString(out, sql);
    Wire.endLength(out, at);
  }
}
