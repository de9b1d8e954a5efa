package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-STARTUPMESSAGE">StartupMessage</a>:
 * untagged; length, protocol version, then name/value pairs ({@code user}, {@code database}, ...).
 *
 * @param protocolVersion major in the high 16 bits, minor in the low 16 bits
 * @param parameters in the order sent; keys starting with {@code _pq_.} are protocol options
 */
public record StartupMessage(int protocolVersion, Map<String, String> parameters)
    implements FrontendMessage {
  /** Protocol 3.0. */
  public static final int PROTOCOL_3_0 = 196608;

  public StartupMessage {
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /** Whether {@code name} is a protocol option ({@code _pq_.*}) rather than a session parameter. */
  public static boolean isProtocolOption(String name) {
    return name.startsWith("_pq_.");
  }

  public int majorVersion() {
    return protocolVersion >>> 16;
  }

  public int minorVersion() {
    return protocolVersion & 0xFFFF;
  }

  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginUntagged(out);
    out.writeInt(protocolVersion);
    parameters.forEach(
        (name, value) -> {
          Wire.writeCString(out, name);
          Wire.writeCString(out, value);
        });
    out.writeByte(0);
    Wire.endLength(out, at);
  }
}
