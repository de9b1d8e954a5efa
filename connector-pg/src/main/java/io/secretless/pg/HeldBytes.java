package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Bytes one side sent during the login that wait for the relay: the client's after its
 * StartupMessage, the backend's after ReadyForQuery. Once the connection is given up ({@link
 * #discard}) they are released, and so is whatever still comes as the pipeline is torn down.
 */
final class HeldBytes {
  private final List<ByteBuf> held = new ArrayList<>();
  private boolean discarding;

  void add(ByteBuf bytes) {
    if (discarding) {
      bytes.release();
    } else {
      held.add(bytes);
    }
  }

  /** How many bytes wait. */
  int size() {
    int n = 0;
    for (ByteBuf b : held) {
      n += b.readableBytes();
    }
    return n;
  }

  void forEach(Consumer<ByteBuf> action) {
    held.forEach(action);
  }

  /** Writes them to {@code channel} (not flushed) and forgets them. */
  void writeTo(Channel channel) {
    held.forEach(channel::write);
    held.clear();
  }

  /** Releases what is held, and from now on whatever comes. */
  void discard() {
    discarding = true;
    held.forEach(ByteBuf::release);
    held.clear();
  }
}
