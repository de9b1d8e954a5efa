package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-READYFORQUERY">ReadyForQuery</a>
 * ({@code Z}): the end of the startup phase; the broker hands over to the byte relay after it.
 *
 * @param status {@code I} idle, {@code T} in a transaction, {@code E} in a failed transaction
 */
public record ReadyForQuery(char status) implements BackendMessage {
  @Override
  public void encode(ByteBuf out) {
    out.writeByte('Z');
    out.writeInt(5);
    out.writeByte(status);
  }
}
