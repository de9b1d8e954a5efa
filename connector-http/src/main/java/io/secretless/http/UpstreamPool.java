package io.secretless.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idle keep-alive connections to upstreams, one pool per event loop so that a connection is only
 * ever touched by its own loop (no locking). A connection the server closes while idle removes
 * itself.
 */
final class UpstreamPool {
  /** Where a connection goes; the TLS context is part of the key (CA bundles differ per route). */
  record Key(String host, int port, SslContext tls) {}

  static final int MAX_IDLE_PER_KEY = 256;

  private final EventLoop loop;
  private final Map<Key, ArrayDeque<Channel>> idle = new HashMap<>();

  /** The last key looked up and its queue: a reverse-proxy route passes the same Key every time. */
  private Key lastKey;

  private ArrayDeque<Channel> lastQueue;

  UpstreamPool(EventLoop loop) {
    this.loop = loop;
  }

  /** An idle, open connection to {@code key}, or null. */
  Channel acquire(Key key) {
    ArrayDeque<Channel> q = queue(key);
    while (q != null && !q.isEmpty()) {
      Channel c = q.pollLast();
      if (c.isActive()) {
        return c;
      }
    }
    return null;
  }

  void release(Key key, Channel c) {
    ArrayDeque<Channel> q = queue(key);
    if (q == null) {
      q = new ArrayDeque<>();
      idle.put(key, q);
    }
    if (q.size() >= MAX_IDLE_PER_KEY || !c.isActive()) {
      c.close();
      return;
    }
    q.addLast(c);
  }

  private ArrayDeque<Channel> queue(Key key) {
    if (key == lastKey) {
      return lastQueue;
    }
    ArrayDeque<Channel> q = idle.get(key);
    if (q != null) {
      lastKey = key;
      lastQueue = q;
    }
    return q;
  }

  void remove(Key key, Channel c) {
    ArrayDeque<Channel> q = queue(key);
    if (q != null) {
      q.remove(c);
    }
  }

  void close() {
    loop.execute(
        () -> {
          idle.values().forEach(q -> q.forEach(Channel::close));
          idle.clear();
          lastKey = null;
          lastQueue = null;
        });
  }
}
