package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * <a
 * href="https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-NEGOTIATEPROTOCOLVERSION">NegotiateProtocolVersion</a>
 * ({@code v}): the newest minor version supported and the {@code _pq_.} options not recognized. The
 * broker sends it to clients that ask for 3.x with x &gt; 0, as it speaks 3.0.
 */
public record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognizedOptions)
    implements BackendMessage {
  public NegotiateProtocolVersion {
    unrecognizedOptions = List.copyOf(unrecognizedOptions);
  }

  @Override
  public void encode(ByteBuf out) {
    int at = Wire.beginTagged(out, 'v');
    out.writeInt(newestMinorVersion);
    out.writeInt(unrecognizedOptions.size());
    unrecognizedOptions.forEach(o -> Wire.writeCString(out, o));
    Wire.endLength(out, at);
  }
}
