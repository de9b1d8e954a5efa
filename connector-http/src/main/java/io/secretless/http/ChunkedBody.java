package io.secretless.http;

import io.netty.buffer.ByteBuf;

/**
 * Follows a chunked body (RFC 9112 section 7.1) byte by byte across reads, to find where it ends;
 * the bytes themselves are relayed unchanged. Chunk extensions and trailer fields are skipped over.
 */
final class ChunkedBody {
  private enum Step {
    SIZE,
    EXTENSION,
    DATA,
    DATA_CR,
    DATA_LF,
    TRAILER_START,
    TRAILER_LINE,
    LAST_LF,
    ENDED
  }

  private static final long MAX_CHUNK = Long.MAX_VALUE >> 4;

  private Step step = Step.SIZE;
  private long size;
  private int digits;

  void reset() {
    step = Step.SIZE;
    size = 0;
    digits = 0;
  }

  boolean ended() {
    return step == Step.ENDED;
  }

  /** Whether the last chunk has been read: what follows is the trailer section. */
  boolean inTrailers() {
    return step.compareTo(Step.TRAILER_START) >= 0;
  }

  /**
   * Advances over {@code buf} from {@code from} to {@code to}.
   *
   * @return where it stopped: {@code to}, just past the last chunk's size line (where the trailer
   *     section starts, {@link #inTrailers}), or just past the body's end ({@link #ended}); -1 when
   *     the bytes are not a chunked body
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
      byte b = buf.getByte(i++);
      switch (step) {
        case SIZE -> {
          int d = Character.digit(b, 16);
          if (d >= 0) {
            if (size > MAX_CHUNK) {
              return -1;
            }
            size = size * 16 + d;
            digits++;
          } else if (b == '\n' || b == '\r' || b == ';' || b == ' ' || b == '\t') {
            if (digits == 0) {
              return -1;
            }
            step = b == '\n' ? afterSize() : Step.EXTENSION;
          } else {
            return -1;
          }
        }
        case EXTENSION -> {
          if (b == '\n') {
            step = afterSize();
          }
        }
        case DATA_CR -> {
          if (b == '\r') {
            step = Step.DATA_LF;
          } else if (b == '\n') {
            step = Step.SIZE;
          } else {
            return -1;
          }
        }
        case DATA_LF -> {
          if (b != '\n') {
            return -1;
          }
          step = Step.SIZE;
        }
        case TRAILER_START -> {
          if (b == '\n') {
            step = Step.ENDED;
            return i;
          }
          step = b == '\r' ? Step.LAST_LF : Step.TRAILER_LINE;
        }
        case LAST_LF -> {
          if (b != '\n') {
            return -1;
          }
          step = Step.ENDED;
          return i;
        }
        case TRAILER_LINE -> {
          if (b == '\n') {
            step = Step.TRAILER_START;
          }
        }
        default -> {
          return -1;
        }
      }
      if (step == Step.SIZE && b == '\n') {
        size = 0;
        digits = 0;
      }
      if (step == Step.TRAILER_START && b == '\n' && digits > 0) {
        digits = 0; // once: the trailer section starts here
        return i;
      }
    }
    return i;
  }

  private Step afterSize() {
    if (size == 0) {
      return Step.TRAILER_START;
    }
    return Step.DATA;
  }
}
