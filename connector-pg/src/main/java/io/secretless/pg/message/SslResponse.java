package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;

/**
 * The single byte that answers an {@link SSLRequest} or {@link GSSENCRequest}: {@code S} (go ahead)
 * or {@code N} (no). The protocol docs describe it with the requests; it has no name there.
 */
public record SslResponse(boolean willing) implements BackendMessage {
  public static final SslResponse YES = new SslResponse(true);
  public static final SslResponse NO = new SslResponse(false);

  @Override
  public void encode(ByteBuf out) {
    out.writeByte(willing ? 'S' : 'N');
  }
}
