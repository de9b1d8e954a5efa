package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Follows PostgreSQL message boundaries ({@code type byte, int32 length, body}) in a relayed byte
 * stream, across buffer boundaries, without copying or allocating: it reads the five header bytes
 * and the first body byte of each message and skips the rest. A pass-through handler that stays in
 * the pipeline in front of the broker's relay while the session is pooled.
 */
abstract class MessageScanner extends ChannelInboundHandlerAdapter {
  protected final SessionState state;
  private int headerSeen; // bytes of the current header seen, 0..4 (type byte + length bytes)
  private byte type;
  private int length;
  private int bodyLeft; // bytes of the current body not yet passed
  private boolean firstBodyByte;

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  MessageScanner(SessionState state) {
    this.state = state;
  }

  /**
   * Walks {@code buf}'s readable bytes without moving its indexes. Returns the index of a message
   * start at which {@link #begin} asked to stop, or -1 when every byte was walked (or the stream
   * became unreadable, which marks the session broken).
   */
  final int scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end) {
      if (state.isBroken()) {
        return -1;
      }
      if (bodyLeft > 0) {
        if (firstBodyByte) {
          firstBodyByte = false;
          first(type, buf.getByte(i));
        }
        int n = Math.min(bodyLeft, end - i);
        i += n;
        bodyLeft -= n;
      } else if (headerSeen == 0) {
        byte t = buf.getByte(i);
        if (begin(t)) {
          return i;
        }
        type = t;
        length = 0;
        headerSeen = 1;
        i++;
      } else {
        length = (length << 8) | (buf.getByte(i) & 0xFF);
        i++;
        if (++headerSeen == 5) {
          headerSeen = 0;
          if (length < 4) {
            state.broken();
            return -1;
          }
          bodyLeft = length - 4;
          firstBodyByte = bodyLeft > 0;
        }
      }
    }
    return -1;
  }

  /** A message of {@code type} starts. Return true to stop the scan in front of it. */
  abstract boolean begin(byte type);

  /** The first body byte of a message of {@code type}. */
  void first(byte type, byte value) {}
}
