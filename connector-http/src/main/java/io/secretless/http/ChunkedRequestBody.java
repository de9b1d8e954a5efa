package io.secretless.http;

import io.netty.buffer.ByteBuf;

/**
 * Follows a client's chunked body (RFC 9112 section 7.1) across reads to find where it ends; the
 * bytes are forwarded unchanged. Stricter than {@link ChunkedBody} (which reads upstream
 * responses): every line ends with CR LF, chunk sizes are 1 to 16 hex digits, extensions and
 * trailer lines hold no control characters and are bounded in length, so that the upstream cannot
 * see a different end of the body than the broker does.
 */
final class ChunkedRequestBody {
  private enum Step {
    SIZE,
    SIZE_SPACE,
    EXTENSION,
    SIZE_LF,
    DATA,
    DATA_CR,
    DATA_LF,
    TRAILER_START,
    TRAILER_LINE,
    TRAILER_LF,
    LAST_LF,
    ENDED
  }

  /** The longest chunk-size line (with extensions) and the longest trailer section accepted. */
  static final int MAX_LINE = 4096;

  static final int MAX_TRAILERS = 16 * 1024;

  private Step step = Step.SIZE;
  private long size;
  private int digits;
  private int lineBytes;

  void reset() {
    step = Step.SIZE;
    size = 0;
    digits = 0;
    lineBytes = 0;
  }

  boolean ended() {
    return step == Step.ENDED;
  }

  /**
   * Advances over {@code buf} from {@code from} to {@code to}.
   *
   * @return where it stopped: {@code to}, or just past the body's end ({@link #ended}); -1 when the
   *     bytes are not a well-formed chunked body
   */
  int scan(ByteBuf buf, int from, int to) {
    int i = from;
    while (i < to) {
      if (step == Step.DATA) {
        int n = (int) Math.min(size, to - i);
        i += n;
        size -= n;
        if (size == 0) {
          step = Step.DATA_CR;
        }
        continue;
      }
      int b = buf.getByte(i++) & 0xff;
      if (!advance(b)) {
        return -1;
      }
      if (step == Step.ENDED) {
        return i;
      }
    }
    return i;
  }

  private boolean advance(int b) {
    switch (step) {
      case SIZE -> {
        int d = Character.digit(b, 16);
        if (d >= 0) {
          if (++digits > 16) {
            return false;
          }
          size = size << 4 | d;
          return true;
        }
        if (digits == 0) {
          return false;
        }
        return sizeEnd(b);
      }
      case SIZE_SPACE -> {
        return b == ' ' || b == '\t' || sizeEnd(b);
      }
      case EXTENSION -> {
        if (++lineBytes > MAX_LINE) {
          return false;
        }
        if (b == '\r') {
          step = Step.SIZE_LF;
          return true;
        }
        return b == '\t' || (b >= 0x20 && b != 0x7f);
      }
      case SIZE_LF -> {
        if (b != '\n' || size < 0) {
          return false;
        }
        step = size == 0 ? Step.TRAILER_START : Step.DATA;
        lineBytes = 0;
        return true;
      }
      case DATA_CR -> {
        step = Step.DATA_LF;
        return b == '\r';
      }
      case DATA_LF -> {
        size = 0;
        digits = 0;
        step = Step.SIZE;
        return b == '\n';
      }
      case TRAILER_START -> {
        if (b == '\r') {
          step = Step.LAST_LF;
          return true;
        }
        step = Step.TRAILER_LINE;
        return trailerByte(b);
      }
      case TRAILER_LINE -> {
        if (b == '\r') {
          step = Step.TRAILER_LF;
          return true;
        }
        return trailerByte(b);
      }
      case TRAILER_LF -> {
        step = Step.TRAILER_START;
        return b == '\n';
      }
      case LAST_LF -> {
        step = Step.ENDED;
        return b == '\n';
      }
      default -> {
        return false;
      }
    }
  }

  /** After the size digits: optional whitespace, then an extension or the line's CR. */
  private boolean sizeEnd(int b) {
    switch (b) {
      case ' ', '\t' -> step = Step.SIZE_SPACE;
      case ';' -> step = Step.EXTENSION;
      case '\r' -> step = Step.SIZE_LF;
      default -> {
        return false;
      }
    }
    return true;
  }

  private boolean trailerByte(int b) {
    return ++lineBytes <= MAX_TRAILERS && (b == '\t' || (b >= 0x20 && b != 0x7f));
  }
}
