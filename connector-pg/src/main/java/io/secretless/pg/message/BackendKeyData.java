package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-BACKENDKEYDATA">BackendKeyData</a>
 * ({@code K}): the key a {@link CancelRequest} must quote. The broker replaces the backend's key by
 * its own before the client sees it.
 */
public record BackendKeyData(int processId, int secretKey) implements BackendMessage {
  @Override
  public void encode(ByteBuf out) {
    out.writeByte('K');
    out.writeInt(12);
    out.writeInt(processId);
    out.writeInt(secretKey);
  }

  @Override
  public String toString() {
    return "BackendKeyData[processId=" + processId + "]"; // the key is a bearer credential
  }
}
