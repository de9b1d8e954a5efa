package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.secretless.pg.PgException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes what a client sends before it is logged in: the untagged startup-phase packets ({@link
 * StartupMessage}, {@link SSLRequest}, {@link GSSENCRequest}, {@link CancelRequest}), switching on
 * the request code. After a StartupMessage or CancelRequest it decodes nothing more, so bytes a
 * client pipelines behind its StartupMessage stay buffered and are forwarded untouched when the
 * decoder is removed. A malformed packet is a {@link PgException} (08P01).
 */
public final class FrontendDecoder extends ByteToMessageDecoder {
  /** The limit PostgreSQL itself applies (MAX_STARTUP_PACKET_LENGTH). */
  public static final int MAX_STARTUP_PACKET = 10_000;

  private boolean done;

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  /** Bytes received but not decoded (they must be none when switching to TLS). */
  public int buffered() {
    return actualReadableBytes();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (done) {
      return;
    }
    Optional<FrontendMessage> message;
    try {
      message = decodePacket(in);
    } catch (PgException e) {
      done = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
    message.ifPresent(
        m -> {
          if (m instanceof StartupMessage || m instanceof CancelRequest) {
            done = true;
          }
          out.add(m);
        });
  }

  /**
   * Decodes one startup-phase packet from {@code in}, or returns empty (consuming nothing) when it
   * is not complete yet.
   *
   * @throws PgException (08P01) when the packet is malformed or of an unsupported protocol
   */
  public static Optional<FrontendMessage> decodePacket(ByteBuf in) {
    if (in.readableBytes() < 4) {
      return Optional.empty();
    }
    int length = in.getInt(in.readerIndex());
    if (length < 8 || length > MAX_STARTUP_PACKET) {
      throw PgException.clientProtocol(
          "invalid startup packet length "
              + length
              + " (expected 8 to "
              + MAX_STARTUP_PACKET
              + ")");
    }
    if (in.readableBytes() < length) {
      return Optional.empty();
    }
    ByteBuf packet = in.readSlice(length).skipBytes(4);
    int code = packet.readInt();
    return Optional.of(
        switch (code) {
          case SSLRequest.CODE -> fixed(packet, 0, new SSLRequest());
          case GSSENCRequest.CODE -> fixed(packet, 0, new GSSENCRequest());
          case CancelRequest.CODE -> {
            fixed(packet, 8, null);
            yield new CancelRequest(packet.readInt(), packet.readInt());
          }
          default -> startup(code, packet);
        });
  }

  private static FrontendMessage fixed(ByteBuf body, int expected, FrontendMessage message) {
    if (body.readableBytes() != expected) {
      throw PgException.clientProtocol(
          "invalid length of startup packet: " + (body.readableBytes() + 8) + " bytes");
    }
    return message;
  }

  private static StartupMessage startup(int version, ByteBuf body) {
    if (version >>> 16 != 3) {
      throw PgException.clientProtocol(
          "unsupported frontend protocol "
              + (version >>> 16)
              + "."
              + (version & 0xFFFF)
              + ": the broker speaks protocol 3.0");
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    while (true) {
      String name = Wire.readCString(body, FrontendDecoder::layout);
      if (name.isEmpty()) {
        break;
      }
      parameters.put(name, Wire.readCString(body, FrontendDecoder::layout));
    }
    if (body.isReadable()) {
      throw layout("bytes after the terminator");
    }
    return new StartupMessage(version, parameters);
  }

  private static PgException layout(String detail) {
    return PgException.clientProtocol("invalid startup packet layout: " + detail);
  }
}
