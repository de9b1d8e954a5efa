package io.secretless.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;

/** Client messages not yet forwarded (pipelined requests, a body being buffered for signing). */
final class ClientInbound {
  private final ArrayDeque<HttpObject> queue = new ArrayDeque<>();

  void add(HttpObject o) {
    queue.add(o);
  }

  HttpObject poll() {
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
    for (HttpObject o : queue) {
      if (o instanceof LastHttpContent) {
        return true;
      }
    }
    return false;
  }

  long queuedBytes() {
    long n = 0;
    for (HttpObject o : queue) {
      if (o instanceof HttpContent c) {
        n += c.content().readableBytes();
      }
    }
    return n;
  }

  /** A copy of the queued body (its messages stay queued to be forwarded). */
  byte[] queuedBody() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (HttpObject o : queue) {
      if (o instanceof HttpContent c) {
        var buf = c.content();
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        out.writeBytes(bytes);
      }
      if (o instanceof LastHttpContent) {
        break;
      }
    }
    return out.toByteArray();
  }
}
