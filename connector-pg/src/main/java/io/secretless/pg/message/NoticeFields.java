package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The field list shared by ErrorResponse and NoticeResponse: type byte, string, ..., zero. */
final class NoticeFields {
  private NoticeFields() {}

  static void encode(ByteBuf out, char tag, Map<Character, String> fields) {
    int at = Wire.beginTagged(out, tag);
    fields.forEach(
        (type, value) -> {
          out.writeByte(type);
          Wire.writeCString(out, value);
        });
    out.writeByte(0);
    Wire.endLength(out, at);
  }

  static Map<Character, String> copy(Map<Character, String> fields) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }
}
