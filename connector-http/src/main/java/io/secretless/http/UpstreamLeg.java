package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.secretless.connector.ConnectorSession;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The upstream side of one client connection: takes a pooled connection or dials one, sends the
 * request head, relays the response to the client (with backpressure), and gives the connection
 * back to the pool or closes it. Calls back into its {@link ProxyHandler} for the client side.
 */
final class UpstreamLeg {
  private final ProxyHandler proxy;
  private final HttpMetrics metrics;
  private final ConnectorSession session;
  private final UpstreamPool pool;
  private final Channel client;
  private final ConnectionCredentials credentials;
  private final Runnable checkDeadline = this::checkDeadline;

  /**
   * {@link System#nanoTime} by which the upstream must start its response to the request sent, or 0
   * when no response is awaited. One timer per connection checks it, re-armed only when it fires
   * early (no timer task per request).
   */
  private long deadline;

  private ScheduledFuture<?> timer;
  private long timerAt;

  /**
   * The client's response head, held back until the end of the read batch so that a small body read
   * with it goes out in the same buffer (one buffer, one send, per typical response).
   */
  private ByteBuf pendingHead;

  UpstreamLeg(
      ProxyHandler proxy,
      HttpMetrics metrics,
      ConnectorSession session,
      UpstreamPool pool,
      ConnectionCredentials credentials) {
    this.proxy = proxy;
    this.metrics = metrics;
    this.session = session;
    this.pool = pool;
    this.credentials = credentials;
    this.client = session.client();
  }

  /** Sends the current request upstream, on a pooled connection unless {@code fresh}. */
  void connect(boolean fresh) {
    Exchange ex = proxy.current();
    Channel pooled = fresh ? null : pool.acquire(ex.target.key());
    if (pooled != null) {
      attach(ex, pooled, true);
      return;
    }
    UpstreamDial.connect(
        session,
        pool,
        ex.target,
        () -> proxy.current() == ex,
        new UpstreamDial.Outcome() {
          @Override
          public void connected(Channel upstream) {
            attach(ex, upstream, false);
          }

          @Override
          public void failed(String what) {
            upstreamFailed(ex, what);
          }
        });
  }

  private void upstreamFailed(Exchange ex, String what) {
    RequestTarget t = ex.target;
    metrics.count(t.route(), HttpMetrics.Outcome.UPSTREAM_ERROR);
    proxy.respondError(
        HttpResponseStatus.BAD_GATEWAY,
        "service " + ex.service() + ": upstream " + t.host() + ":" + t.port() + " " + what,
        ex.clientKeepAlive && (ex.requestDone || ex.replayable),
        ex.requestDone);
  }

  private void attach(Exchange ex, Channel up, boolean reused) {
    UpstreamHandler h = up.pipeline().get(UpstreamHandler.class);
    h.bind(this);
    ex.upstream = up;
    ex.upstreamHandler = h;
    ex.reused = reused;
    h.framer.expectResponseTo(ex.headRequest);
    ByteBuf buf = proxy.upstreamHead(ex, up.alloc());
    if (ex.requestDone) { // a replay of a request without body
      up.writeAndFlush(buf, up.voidPromise());
      awaitResponse(ex);
      proxy.waiting();
    } else {
      up.write(buf, up.voidPromise());
      proxy.headSent();
    }
  }

  /**
   * The whole request is upstream: its response must start within the route's {@code
   * responseTimeout}, else the client gets 504 and the connection is closed.
   */
  void awaitResponse(Exchange ex) {
    if (ex.responseStarted) {
      return; // the upstream answered before the request body was complete
    }
    long timeout = responseTimeout(ex).toNanos();
    long now = System.nanoTime();
    deadline = now + timeout;
    if (timer == null || timerAt - deadline > 0) {
      if (timer != null) {
        timer.cancel(false);
      }
      arm(now, timeout);
    }
  }

  private static Duration responseTimeout(Exchange ex) {
    BoundRoute route = ex.target.route();
    return route == null ? HttpRoute.DEFAULT_RESPONSE_TIMEOUT : route.route().responseTimeout();
  }

  private void arm(long now, long delay) {
    timerAt = now + delay;
    timer = client.eventLoop().schedule(checkDeadline, delay, TimeUnit.NANOSECONDS);
  }

  private void checkDeadline() {
    timer = null;
    if (deadline == 0) {
      return;
    }
    long now = System.nanoTime();
    if (deadline - now > 0) {
      arm(now, deadline - now);
      return;
    }
    deadline = 0;
    Exchange ex = proxy.current();
    if (ex != null && ex.upstream != null && !ex.responseStarted) {
      timedOut(ex);
    }
  }

  private void timedOut(Exchange ex) {
    RequestTarget t = ex.target;
    metrics.count(t.route(), HttpMetrics.Outcome.UPSTREAM_TIMEOUT);
    proxy.respondError( // closes the upstream connection: a late answer must not reach the pool
        HttpResponseStatus.GATEWAY_TIMEOUT,
        "service "
            + ex.service()
            + ": upstream "
            + t.host()
            + ":"
            + t.port()
            + " did not start answering within "
            + text(responseTimeout(ex))
            + " (config.responseTimeout)",
        ex.clientKeepAlive && (ex.requestDone || ex.replayable),
        ex.requestDone);
  }

  private static String text(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** Stops the response timer (the client connection is closing). */
  void close() {
    if (pendingHead != null) {
      pendingHead.release();
      pendingHead = null;
    }
    deadline = 0;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /**
   * A response event from the upstream connection bound to the current request ({@link
   * ResponseFramer}): a head, a slice of body bytes, or the end.
   */
  void onUpstream(Object msg) {
    Exchange ex = proxy.current();
    if (ex == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBuf body) {
      if (ex.swallowing) {
        body.release();
        return;
      }
      if (ex.rechunk) {
        writePendingHead();
        writeChunk(body);
      } else if (pendingHead != null && body.readableBytes() <= pendingHead.writableBytes()) {
        pendingHead.writeBytes(body);
        body.release();
      } else {
        writePendingHead();
        client.write(body, client.voidPromise());
      }
    } else if (msg instanceof ResponseFramer.Trailers t) {
      ByteBuf kept = ResponseHeads.trailers(t.bytes(), ex.creds);
      if (ex.swallowing) {
        kept.release();
        return;
      }
      writePendingHead();
      client.write(kept, client.voidPromise());
    } else if (msg instanceof ResponseHead h) {
      deadline = 0; // the upstream started answering
      onResponseHead(ex, h);
    } else if (msg == ResponseFramer.END) {
      if (ex.swallowing) {
        proxy.retryRefused();
        return;
      }
      if (ex.informational) {
        ex.informational = false;
        return;
      }
      writePendingHead();
      if (ex.rechunk) {
        client.write(Unpooled.wrappedBuffer(LAST_CHUNK), client.voidPromise());
      }
      proxy.responseDone();
      return;
    }
    if (!client.isWritable() && ex.upstream != null) {
      ex.upstream.config().setAutoRead(false);
    }
  }

  private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
  private static final byte[] CRLF = {'\r', '\n'};

  /** A body slice of a response without framing, as one chunk. */
  private void writeChunk(ByteBuf body) {
    if (!body.isReadable()) {
      body.release();
      return;
    }
    ByteBuf size = client.alloc().buffer(12);
    ByteBufUtil.writeAscii(size, Integer.toHexString(body.readableBytes()));
    size.writeBytes(CRLF);
    client.write(size, client.voidPromise());
    client.write(body, client.voidPromise());
    client.write(Unpooled.wrappedBuffer(CRLF), client.voidPromise());
  }

  private void onResponseHead(Exchange ex, ResponseHead h) {
    int code = h.status();
    if ((code == 401 || code == 403) && !ex.retried && ex.refused(credentials, code)) {
      ex.swallowing = true;
      ex.upstreamKeepAlive = h.keepAlive();
      return;
    }
    if (code >= 100 && code < 200 && code != 101) {
      ex.informational = true;
      client.write(ResponseHeads.informational(h, client.alloc()), client.voidPromise());
      return;
    }
    ex.responseStarted = true;
    ex.upstreamKeepAlive = h.keepAlive() && code != 101;
    writePendingHead();
    pendingHead = ResponseHeads.toClient(h, ex, client.alloc(), SMALL_BODY);
  }

  /** Bodies up to this size share the head's buffer. */
  private static final int SMALL_BODY = 2048;

  private void writePendingHead() {
    ByteBuf head = pendingHead;
    if (head != null) {
      pendingHead = null;
      client.write(head, client.voidPromise());
    }
  }

  /** Unbinds the request's upstream connection: back to the pool when reusable. */
  void release(Exchange ex, boolean reusable) {
    Channel up = ex.upstream;
    if (up == null) {
      return;
    }
    deadline = 0;
    ex.upstreamHandler.unbind();
    ex.upstream = null;
    up.config().setAutoRead(true);
    if (reusable && up.isActive()) {
      pool.release(ex.upstreamHandler.key, up);
    } else {
      up.close();
    }
  }

  void onUpstreamWritable() {
    proxy.onUpstreamWritable();
  }

  void flushClient() {
    writePendingHead();
    client.flush();
  }

  void onUpstreamClosed(Channel up, Throwable cause) {
    Exchange ex = proxy.current();
    if (ex == null || ex.upstream != up) {
      return;
    }
    ex.upstream = null;
    if (ex.responseStarted) {
      writePendingHead();
      proxy.closeClient(); // a truncated response: the client must see the connection drop
      return;
    }
    if (ex.swallowing) {
      // The refusal came, then the connection closed before its body ended: retry as planned.
      proxy.retryRefused();
      return;
    }
    if (ex.reused && ex.replayable && ex.requestDone) {
      ex.reused = false; // the server closed an idle pooled connection: one fresh try
      ex.responseStarted = false;
      connect(true);
      return;
    }
    upstreamFailed(
        ex,
        "closed the connection before responding"
            + (cause == null ? "" : ": " + UpstreamDial.reason(cause)));
  }
}
