package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONMD5PASSWORD">AuthenticationMD5Password</a>
 * with its 4-byte salt.
 */
public record AuthenticationMD5Password(byte[] salt) implements Authentication {
  public AuthenticationMD5Password {
    if (salt.length != 4) {
      throw new IllegalArgumentException("MD5 salt must be 4 bytes, got " + salt.length);
    }
    salt = salt.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeByte('R');
    out.writeInt(12);
    out.writeInt(MD5_PASSWORD);
    out.writeBytes(salt);
  }
}
