package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * An authentication request the broker does not implement (KerberosV5 = 2, GSS = 7, GSSContinue =
 * 8, SSPI = 9, or an unknown code); the connection fails with a message naming the method.
 */
public record AuthenticationUnsupported(int type) implements Authentication {
  /** The name the protocol docs use for {@link #type()}. */
  public String method() {
    return switch (type) {
      case 2 -> "KerberosV5";
      case 7 -> "GSS";
      case 8 -> "GSSContinue";
      case 9 -> "SSPI";
      default -> "unknown method " + type;
    };
  }

  @Override
  public void encode(ByteBuf out) {
    out.writeByte('R');
    out.writeInt(8);
    out.writeInt(type);
  }
}
