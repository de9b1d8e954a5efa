package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-built wire bytes for tests, written independently of the encoders under test. */
final class Bytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static Bytes bytes() {
    return new Bytes();
  }

  Bytes int8(int b) {
    out.write(b);
    return this;
  }

  Bytes int32(int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  Bytes str(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    out.write(0);
    return this;
  }

  Bytes raw(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  Bytes raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  byte[] array() {
    return out.toByteArray();
  }

  ByteBuf buf() {
    return Unpooled.wrappedBuffer(array());
  }

  static byte[] encoded(FrontendMessage m) {
    ByteBuf b = Unpooled.buffer();
    m.encode(b);
    return ByteBufUtil.getBytes(b);
  }

  static byte[] encoded(BackendMessage m) {
    ByteBuf b = Unpooled.buffer();
    m.encode(b);
    return ByteBufUtil.getBytes(b);
  }
}
