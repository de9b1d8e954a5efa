package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-PASSWORDMESSAGE">PasswordMessage</a>
 * ({@code p}): a cleartext password or an MD5 hash, null-terminated. Holds its own copy of the
 * bytes, which {@link #encode} zeroes after writing; {@link #toString()} never shows them.
 */
public final class PasswordMessage implements FrontendMessage {
  private final byte[] password;

  /** Takes a copy of {@code password} (without the terminating zero). */
  public PasswordMessage(byte[] password) {
    this.password = password.clone();
  }

  /** Writes the message, then zeroes the held password: a message is sent once. */
  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginTagged(out, 'p');
    out.writeBytes(password);
    out.writeByte(0);
    Wire.endLength(out, at);
    Arrays.fill(password, (byte) 0);
  }

  @Override
  public String toString() {
    return "PasswordMessage[redacted]";
  }
}
