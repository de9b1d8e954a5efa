package io.secretless.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.secretless.connector.ConnectorSession;
import io.secretless.credentials.oauth2.OAuth2Token;

/**
 * Serves one client connection: one request at a time (pipelined requests wait their turn), each
 * matched to a service, given its credentials and forwarded on a pooled keep-alive upstream
 * connection; bodies stream both ways with backpressure. Runs entirely on the client's event loop;
 * credentials and tokens arrive as futures and continue on it.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {
  private enum State {
    IDLE,
    PREPARING,
    /** An AWS request whose body must be hashed before signing: reading it whole. */
    BUFFERING,
    SENDING,
    WAITING,
    DISCARDING,
    CLOSED
  }

  /** Client messages queued while a request is served before the client is paused. */
  private static final int MAX_QUEUED = 64;

  /** Request bodies up to this size go out in the head's buffer. */
  private static final int SMALL_BODY = 2048;

  /** The largest body buffered to compute an AWS payload hash. */
  private static final long MAX_SIGNED_BODY = 16L << 20;

  private final HttpBoundConnector listener;
  private final ConnectorSession session;
  private final UpstreamPool pool;
  private final Channel client;
  private final ClientInbound inbound = new ClientInbound();
  private final ConnectionCredentials credentials;
  private final UpstreamLeg upstream;
  private State state = State.IDLE;
  private Exchange ex;
  private boolean completed;
  private boolean inputEnded;

  ProxyHandler(HttpBoundConnector listener, ConnectorSession session, UpstreamPool pool) {
    this.listener = listener;
    this.session = session;
    this.pool = pool;
    this.client = session.client();
    this.credentials = new ConnectionCredentials(session);
    this.upstream = new UpstreamLeg(this, listener.metrics(), session, pool, credentials);
  }

  // ---- client side -------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state != State.CLOSED) {
      inbound.add(msg);
      drain();
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (client.isWritable() && ex != null && ex.upstream != null) {
      ex.upstream.config().setAutoRead(true);
    }
  }

  /**
   * The broker allows half-closure, so a client's end of input arrives as an event, not as a close:
   * finish the request in progress (its response still goes out), then close.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      inputEnded = true;
      if (ex != null) {
        ex.clientKeepAlive = false;
      } else if (state != State.CLOSED && inbound.isEmpty()) {
        closeClient();
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    if (ex != null && ex.upstream != null) {
      upstream.release(ex, false);
    }
    ex = null;
    complete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // connection reset and the like: nothing to tell the client
  }

  /** Moves queued client messages along as far as the state allows, then asks for more. */
  private void drain() {
    boolean more = true;
    while (more) {
      more =
          switch (state) {
            case CLOSED -> {
              inbound.releaseAll();
              yield false;
            }
            case PREPARING, WAITING -> {
              if (inbound.size() > MAX_QUEUED) {
                input(false); // a client pipelining faster than we serve waits
              }
              yield false;
            }
            case BUFFERING -> buffering();
            case IDLE -> nextRequest();
            case DISCARDING -> discarding();
            case SENDING -> sending();
          };
    }
  }

  /** Reading a body whole to sign it; true when it is complete and the request moved on. */
  private boolean buffering() {
    if (inbound.lastQueued()) {
      state = State.PREPARING;
      ready(ex.creds, ex.token);
      return true;
    }
    if (inbound.queuedBytes() > MAX_SIGNED_BODY) {
      respondError(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "service " + ex.service() + ": a body over 16 MiB cannot be buffered for signing",
          false,
          false);
      return false;
    }
    input(true);
    return false;
  }

  private boolean nextRequest() {
    Object m = inbound.poll();
    if (m == null && inputEnded) {
      closeClient();
      return false;
    }
    if (m == null) {
      input(true);
      return false;
    }
    if (m instanceof RequestHead r) {
      start(r);
    } else if (m instanceof MalformedRequest bad) {
      listener.metrics().count(null, HttpMetrics.Outcome.REFUSED);
      respondError(bad.status, bad.getMessage(), false, false);
      return false;
    } else {
      ReferenceCountUtil.release(m);
    }
    return true;
  }

  /** Dropping the rest of a request that was answered without being forwarded. */
  private boolean discarding() {
    Object m = inbound.poll();
    if (m == null) {
      input(true);
      return false;
    }
    if (m instanceof MalformedRequest) {
      closeClient(); // the rest of the connection cannot be framed
      return false;
    }
    ReferenceCountUtil.release(m);
    if (m == RequestFramer.END) {
      state = State.IDLE;
    }
    return true;
  }

  /** Forwarding the request body; flushes once per batch of queued messages. */
  private boolean sending() {
    Object m = inbound.poll();
    Channel up = ex.upstream;
    if (m == null) {
      up.flush();
      input(up.isWritable());
      return false;
    }
    if (m instanceof ByteBuf body) {
      up.write(body, up.voidPromise());
    } else if (m == RequestFramer.END) {
      ex.requestDone = true;
      state = State.WAITING;
      up.flush();
      upstream.awaitResponse(ex);
    } else if (m instanceof MalformedRequest bad) {
      // The body broke off mid-way: the upstream got part of it and cannot be reused.
      listener.metrics().count(null, HttpMetrics.Outcome.REFUSED);
      if (ex.responseStarted) {
        upstream.release(ex, false);
        closeClient();
      } else {
        respondError(bad.status, bad.getMessage(), false, false);
      }
      return false;
    }
    return true;
  }

  /**
   * The client channel reads on its own (auto-read) except while paused for backpressure: toggling
   * read interest per request would cost two epoll_ctl calls per request.
   */
  private void input(boolean on) {
    if (client.config().isAutoRead() != on) {
      client.config().setAutoRead(on);
    }
  }

  private void start(RequestHead r) {
    RequestTarget target;
    try {
      target = Admission.admit(r, listener);
    } catch (Admission.Refused e) {
      listener.metrics().count(null, HttpMetrics.Outcome.REFUSED);
      respondError(e.status, e.getMessage(), e.keepAlive, false);
      return;
    }
    ex = new Exchange(r, target);
    state = State.PREPARING;
    prepare();
  }

  /** Gets credentials and token (usually already at hand), then connects upstream. */
  private void prepare() {
    BoundRoute route = ex.target.route();
    Exchange mine = ex;
    credentials.whenReady(
        route,
        client.eventLoop(),
        (creds, token) -> {
          if (ex == mine && state != State.CLOSED) {
            ready(creds, token);
          }
        },
        cause -> {
          if (ex != mine || state == State.CLOSED) {
            return;
          }
          listener.metrics().count(route, HttpMetrics.Outcome.CREDENTIALS_ERROR);
          respondError(
              HttpResponseStatus.BAD_GATEWAY,
              cause instanceof io.secretless.core.SecretlessException
                  ? cause.getMessage()
                  : "service " + route.name() + ": credentials unavailable",
              ex.clientKeepAlive && ex.replayable,
              false);
        });
  }

  private void ready(RouteCredentials creds, OAuth2Token token) {
    ex.creds = creds;
    ex.token = token;
    if (ex.needsWholeBody()) {
      if (!inbound.lastQueued()) {
        state = State.BUFFERING;
        drain();
        return;
      }
      ex.body = inbound.queuedBody();
    }
    ex.hashPayloadForAws();
    try {
      ex.upstreamHead =
          RequestHeaders.toUpstream(
              ex.request, ex.target, creds, token, ex.payloadHash, ex.formBodyForOAuth1());
    } catch (RequestTarget.Rejected e) {
      respondError(e.status, e.getMessage(), ex.clientKeepAlive && ex.replayable, false);
      return;
    }
    // A retry after a refusal dials a new connection: the one that refused, or an idle pooled one,
    // may be closing at this very moment.
    upstream.connect(ex.retried);
  }

  // ---- upstream side calls these ---------------------------------------------------------

  void responseDone() {
    listener.metrics().count(ex.target.route(), HttpMetrics.Outcome.FORWARDED);
    upstream.release(ex, ex.requestDone && ex.upstreamKeepAlive);
    client.flush();
    if (!ex.clientKeepAlive) {
      closeClient();
      return;
    }
    boolean requestDone = ex.requestDone;
    ex = null;
    state = requestDone ? State.IDLE : State.DISCARDING;
    drain();
  }

  /**
   * The 401 (or aws 403) kept from the client ({@link Exchange#refused}) is read: one retry serves
   * all.
   */
  void retryRefused() {
    ex.retrying(listener.metrics());
    upstream.release(ex, ex.upstreamKeepAlive);
    state = State.PREPARING;
    prepare();
  }

  /**
   * The request head for the upstream with the request's body appended when the whole body is
   * queued and small: one buffer, one send, for a typical request.
   */
  ByteBuf upstreamHead(Exchange ex, io.netty.buffer.ByteBufAllocator alloc) {
    return ex.requestDone
        ? alloc.directBuffer(ex.upstreamHead.length).writeBytes(ex.upstreamHead)
        : inbound.withSmallBody(ex.upstreamHead, SMALL_BODY, alloc);
  }

  /** The request being served, or null. */
  Exchange current() {
    return state == State.CLOSED ? null : ex;
  }

  /** The request head went upstream; its body follows from the client queue. */
  void headSent() {
    state = State.SENDING;
    drain();
  }

  /** The whole request went upstream (a replay without body). */
  void waiting() {
    state = State.WAITING;
  }

  void onUpstreamWritable() {
    if (state == State.SENDING) {
      drain();
    }
  }

  // ---- endings -----------------------------------------------------------------------------

  /**
   * Answers the current request with an error; keeps the connection when {@code keepAlive}, else
   * closes it after the answer. {@code requestDone} says whether the request's body was consumed.
   */
  void respondError(
      HttpResponseStatus status, String message, boolean keepAlive, boolean requestDone) {
    if (ex != null && ex.upstream != null) {
      upstream.release(ex, false);
    }
    ex = null;
    client.writeAndFlush(ErrorResponses.of(status, message, keepAlive), client.voidPromise());
    if (!keepAlive) {
      closeClient();
      return;
    }
    state = requestDone ? State.IDLE : State.DISCARDING;
    drain();
  }

  void closeClient() {
    state = State.CLOSED;
    client.flush();
    inbound.releaseAll();
    complete();
  }

  private void complete() {
    if (completed) {
      return;
    }
    completed = true;
    upstream.close();
    credentials.closeAll();
    session.complete();
  }
}
