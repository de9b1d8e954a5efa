package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;

/**
 * Client messages from the {@link RequestFramer} not yet forwarded (pipelined requests, a body
 * being buffered for signing): request heads, body slices, {@link RequestFramer#END} and {@link
 * MalformedRequest}.
 */
final class ClientInbound {
  private final ArrayDeque<Object> queue = new ArrayDeque<>();

  void add(Object o) {
    queue.add(o);
  }

  Object poll() {
    return queue.poll();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int size() {
    return queue.size();
  }

  void releaseAll() {
    queue.forEach(ReferenceCountUtil::release);
    queue.clear();
  }

  /** Whether the end of the current request's body is queued. */
  boolean lastQueued() {
    for (Object o : queue) {
      if (o == RequestFramer.END) {
        return true;
      }
    }
    return false;
  }

  long queuedBytes() {
    long n = 0;
    for (Object o : queue) {
      if (o instanceof ByteBuf c) {
        n += c.readableBytes();
      }
    }
    return n;
  }

  /**
   * {@code head} with the current request's body appended when all of it (up to {@link
   * RequestFramer#END}) is queued and at most {@code limit} bytes (the body slices are then taken
   * off the queue): one buffer, one send, for a typical request. Just the head otherwise.
   */
  ByteBuf withSmallBody(byte[] head, int limit, ByteBufAllocator alloc) {
    int body = wholeSmallBody(limit);
    ByteBuf out = alloc.directBuffer(head.length + Math.max(body, 0)).writeBytes(head);
    while (body > 0 && queue.peek() instanceof ByteBuf b) {
      queue.poll();
      out.writeBytes(b);
      b.release();
    }
    return out;
  }

  private int wholeSmallBody(int limit) {
    int n = 0;
    for (Object o : queue) {
      if (o == RequestFramer.END) {
        return n;
      }
      if (!(o instanceof ByteBuf b) || (n += b.readableBytes()) > limit) {
        return -1;
      }
    }
    return -1;
  }

  /** A copy of the queued body (its messages stay queued to be forwarded). */
  byte[] queuedBody() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object o : queue) {
      if (o instanceof ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        out.writeBytes(bytes);
      }
      if (o == RequestFramer.END) {
        break;
      }
    }
    return out.toByteArray();
  }
}
