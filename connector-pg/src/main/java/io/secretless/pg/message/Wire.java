package io.secretless.pg.message;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.secretless.pg.PgException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** Null-terminated strings and length prefixes, the two primitives of the PostgreSQL protocol. */
final class Wire {
  private Wire() {}

  /**
   * Reads a null-terminated UTF-8 string, or throws the exception {@code malformed} builds when the
   * terminator is missing inside {@code in}'s readable bytes.
   */
  static String readCString(ByteBuf in, Function<String, PgException> malformed) {
    int end = in.forEachByte(ByteProcessor.FIND_NUL);
    if (end < 0) {
      throw malformed.apply("string without terminating zero byte");
    }
    String s = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
    in.readerIndex(end + 1);
    return s;
  }

  static void writeCString(ByteBuf out, String s) {
    out.writeCharSequence(s, StandardCharsets.UTF_8);
    out.writeByte(0);
  }

  /** Writes the tag and a length placeholder; returns the index to pass to {@link #endLength}. */
  static int beginTagged(ByteBuf out, char tag) {
    out.writeByte(tag);
    int at = out.writerIndex();
    out.writeInt(0);
    return at;
  }

  /** Writes a length placeholder for an untagged startup-phase packet. */
  static int beginUntagged(ByteBuf out) {
    int at = out.writerIndex();
    out.writeInt(0);
    return at;
  }

  /** Fills in the length (which counts itself, not the tag). */
  static void endLength(ByteBuf out, int at) {
    out.setInt(at, out.writerIndex() - at);
  }
}
