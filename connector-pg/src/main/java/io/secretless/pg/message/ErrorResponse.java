package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-ERRORRESPONSE">ErrorResponse</a>
 * ({@code E}): fields keyed by the <a
 * href="https://www.postgresql.org/docs/current/protocol-error-fields.html">field type</a> byte
 * ({@code S} severity, {@code V} non-localized severity, {@code C} SQLSTATE, {@code M} message).
 */
public record ErrorResponse(Map<Character, String> fields) implements BackendMessage {
  public ErrorResponse {
    fields = NoticeFields.copy(fields);
  }

  /** A FATAL error as the broker sends it to the client before closing the connection. */
  public static ErrorResponse fatal(String sqlState, String message) {
    Map<Character, String> fields = new LinkedHashMap<>();
    fields.put('S', "FATAL");
    fields.put('V', "FATAL");
    fields.put('C', sqlState);
    fields.put('M', message);
    return new ErrorResponse(fields);
  }

  public String severity() {
    return fields.getOrDefault('V', fields.getOrDefault('S', "ERROR"));
  }

  public String sqlState() {
    return fields.getOrDefault('C', "XX000");
  }

  public String message() {
    return fields.getOrDefault('M', "");
  }

  @Override
  public void encode(ByteBuf out) {
    NoticeFields.encode(out, 'E', fields);
  }
}
