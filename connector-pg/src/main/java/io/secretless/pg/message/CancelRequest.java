package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-CANCELREQUEST">CancelRequest</a>:
 * sent on a new connection with the process id and secret key from {@link BackendKeyData}.
 */
public record CancelRequest(int processId, int secretKey) implements FrontendMessage {
  public static final int CODE = 80877102;

  @Override
  public void encode(ByteBuf out) {
    out.writeInt(16);
    out.writeInt(CODE);
    out.writeInt(processId);
    out.writeInt(secretKey);
  }

  @Override
  public String toString() {
    return "CancelRequest[processId=" + processId + "]"; // the key is a bearer credential
  }
}
