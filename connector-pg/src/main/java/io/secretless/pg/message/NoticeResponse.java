package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-NOTICERESPONSE">NoticeResponse</a>
 * ({@code N}): same fields as {@link ErrorResponse}; relayed to the client.
 */
public record NoticeResponse(Map<Character, String> fields) implements BackendMessage {
  public NoticeResponse {
    fields = NoticeFields.copy(fields);
  }

  @Override
  public void encode(ByteBuf out) {
    NoticeFields.encode(out, 'N', fields);
  }
}
