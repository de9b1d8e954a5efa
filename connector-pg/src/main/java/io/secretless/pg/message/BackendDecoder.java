package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.secretless.pg.PgException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes what a backend sends while the broker logs in: {@code tag, int32 length, body}, switching
 * on the tag. Stops after {@link ReadyForQuery} or {@link ErrorResponse}: whatever follows stays
 * buffered and is forwarded untouched when the decoder is removed. A message that is not part of
 * the startup phase is a {@link PgException} (08P01).
 */
public final class BackendDecoder extends ByteToMessageDecoder {
  /** Startup-phase messages are small; anything larger is not PostgreSQL talking. */
  public static final int MAX_MESSAGE = 1 << 20;

  private boolean done;

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (done || in.readableBytes() < 5) {
      return;
    }
    byte tag = in.getByte(in.readerIndex());
    int length = in.getInt(in.readerIndex() + 1);
    if (length < 4 || length > MAX_MESSAGE) {
      done = true;
      throw PgException.backendProtocol(
          "invalid message length " + length + " for message type '" + printable(tag) + "'");
    }
    if (in.readableBytes() < 1 + length) {
      return;
    }
    in.skipBytes(5);
    BackendMessage message;
    try {
      message = decodeBody(tag, in.readSlice(length - 4));
    } catch (PgException e) {
      done = true;
      throw e;
    }
    if (message instanceof ReadyForQuery || message instanceof ErrorResponse) {
      done = true;
    }
    out.add(message);
  }

  /** Decodes one message body (after tag and length). */
  public static BackendMessage decodeBody(byte tag, ByteBuf body) {
    try {
      BackendMessage message =
          switch (tag) {
            case 'R' -> authentication(body);
            case 'S' ->
                new ParameterStatus(
                    Wire.readCString(body, BackendDecoder::malformed),
                    Wire.readCString(body, BackendDecoder::malformed));
            case 'K' -> new BackendKeyData(body.readInt(), body.readInt());
            case 'Z' -> new ReadyForQuery((char) body.readUnsignedByte());
            case 'E' -> new ErrorResponse(fields(body));
            case 'N' -> new NoticeResponse(fields(body));
            case 'v' -> negotiate(body);
            default ->
                throw PgException.backendProtocol(
                    "unexpected message type '" + printable(tag) + "' during startup");
          };
      if (body.isReadable()) {
        throw malformed("message type '" + printable(tag) + "' is longer than its content");
      }
      return message;
    } catch (IndexOutOfBoundsException e) {
      throw malformed("message type '" + printable(tag) + "' is shorter than its content");
    }
  }

  private static Authentication authentication(ByteBuf body) {
    int type = body.readInt();
    return switch (type) {
      case Authentication.OK -> new AuthenticationOk();
      case Authentication.CLEARTEXT_PASSWORD -> new AuthenticationCleartextPassword();
      case Authentication.MD5_PASSWORD -> new AuthenticationMD5Password(bytes(body, 4));
      case Authentication.SASL -> {
        List<String> mechanisms = new ArrayList<>();
        for (String m = Wire.readCString(body, BackendDecoder::malformed);
            !m.isEmpty();
            m = Wire.readCString(body, BackendDecoder::malformed)) {
          mechanisms.add(m);
        }
        yield new AuthenticationSASL(mechanisms);
      }
      case Authentication.SASL_CONTINUE ->
          new AuthenticationSASLContinue(bytes(body, body.readableBytes()));
      case Authentication.SASL_FINAL ->
          new AuthenticationSASLFinal(bytes(body, body.readableBytes()));
      default -> {
        body.skipBytes(body.readableBytes()); // GSS continuation data etc.
        yield new AuthenticationUnsupported(type);
      }
    };
  }

  private static Map<Character, String> fields(ByteBuf body) {
    Map<Character, String> fields = new LinkedHashMap<>();
    for (byte type = body.readByte(); type != 0; type = body.readByte()) {
      fields.put((char) (type & 0xFF), Wire.readCString(body, BackendDecoder::malformed));
    }
    return fields;
  }

  private static NegotiateProtocolVersion negotiate(ByteBuf body) {
    int minor = body.readInt();
    int count = body.readInt();
    if (count < 0 || count > body.readableBytes()) {
      throw malformed("NegotiateProtocolVersion lists " + count + " options");
    }
    List<String> options = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      options.add(Wire.readCString(body, BackendDecoder::malformed));
    }
    return new NegotiateProtocolVersion(minor, options);
  }

  private static byte[] bytes(ByteBuf body, int n) {
    return ByteBufUtil.getBytes(body.readSlice(n));
  }

  private static PgException malformed(String detail) {
    return PgException.backendProtocol("malformed message from backend: " + detail);
  }

  private static String printable(byte tag) {
    return tag >= 0x20 && tag < 0x7f ? String.valueOf((char) tag) : String.format("\\x%02x", tag);
  }
}
