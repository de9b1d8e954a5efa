package io.secretless.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.secretless.connector.ConnectorSession;
import io.secretless.credentials.oauth2.OAuth2Token;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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

  /** The largest body buffered to compute an AWS payload hash. */
  private static final long MAX_SIGNED_BODY = 16L << 20;

  private final HttpBoundConnector listener;
  private final ConnectorSession session;
  private final UpstreamPool pool;
  private final Channel client;
  private final ArrayDeque<HttpObject> inbound = new ArrayDeque<>();
  private final Map<BoundRoute, CompletableFuture<RouteCredentials>> credentials = new HashMap<>(2);
  private State state = State.IDLE;
  private Exchange ex;
  private boolean completed;
  private boolean inputEnded;

  /** The request being served. */
  private static final class Exchange {
    final HttpRequest request;
    final RequestTarget target;
    final HttpVersion clientVersion;
    final boolean replayable;
    boolean clientKeepAlive;
    RouteCredentials creds;
    OAuth2Token token;
    Channel upstream;
    UpstreamHandler upstreamHandler;
    boolean reused;
    boolean requestDone;
    boolean responseStarted;
    boolean upstreamKeepAlive;
    boolean informational;
    boolean swallowing;
    boolean retried;
    String payloadHash;
    byte[] body;

    Exchange(HttpRequest request, RequestTarget target) {
      this.request = request;
      this.target = target;
      this.clientVersion = request.protocolVersion();
      this.clientKeepAlive = HttpUtil.isKeepAlive(request);
      this.replayable =
          !HttpUtil.isTransferEncodingChunked(request)
              && HttpUtil.getContentLength(request, 0L) == 0;
    }

    String service() {
      return target.route() == null ? "(unmatched, forwarded)" : target.route().name();
    }
  }

  ProxyHandler(HttpBoundConnector listener, ConnectorSession session, UpstreamPool pool) {
    this.listener = listener;
    this.session = session;
    this.pool = pool;
    this.client = session.client();
  }

  // ---- client side -------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpObject o && state != State.CLOSED) {
      inbound.add(o);
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
      ex.upstreamHandler.unbind();
      ex.upstream.close();
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
    while (true) {
      switch (state) {
        case CLOSED -> {
          inbound.forEach(ReferenceCountUtil::release);
          inbound.clear();
          return;
        }
        case PREPARING, WAITING -> {
          if (inbound.size() > MAX_QUEUED) {
            input(false); // a client pipelining faster than we serve waits
          }
          return;
        }
        case BUFFERING -> {
          if (lastQueued()) {
            state = State.PREPARING;
            ready(ex.creds, ex.token);
            continue;
          }
          if (queuedBytes() > MAX_SIGNED_BODY) {
            respondError(
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "service " + ex.service() + ": a body over 16 MiB cannot be buffered for signing",
                false,
                false);
            return;
          }
          input(true);
          return;
        }
        case IDLE -> {
          HttpObject m = inbound.poll();
          if (m == null && inputEnded) {
            closeClient();
            return;
          }
          if (m == null) {
            input(true);
            return;
          }
          if (m instanceof HttpRequest r) {
            start(r);
          } else {
            ReferenceCountUtil.release(m);
          }
        }
        case DISCARDING -> {
          HttpObject m = inbound.poll();
          if (m == null) {
            input(true);
            return;
          }
          ReferenceCountUtil.release(m);
          if (m instanceof LastHttpContent) {
            state = State.IDLE;
          }
        }
        case SENDING -> {
          HttpObject m = inbound.poll();
          Channel up = ex.upstream;
          if (m == null) {
            up.flush();
            input(up.isWritable());
            return;
          }
          up.write(m, up.voidPromise());
          if (m instanceof LastHttpContent) {
            ex.requestDone = true;
            state = State.WAITING;
            up.flush();
          }
        }
      }
    }
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

  private void start(HttpRequest r) {
    boolean keepAlive = HttpUtil.isKeepAlive(r);
    if (r.decoderResult().isFailure()) {
      listener.metrics().count(null, HttpMetrics.Outcome.REFUSED);
      respondError(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", false, false);
      return;
    }
    if (r.method().equals(HttpMethod.CONNECT)) {
      listener.metrics().count(null, HttpMetrics.Outcome.REFUSED);
      respondError(
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          "CONNECT (HTTPS tunnelling) is not supported: the broker must see each request to add"
              + " credentials. Send http:// URLs through the proxy and set forceSSL: true on the"
              + " service to reach the API over https",
          keepAlive,
          false);
      return;
    }
    RequestTarget target;
    try {
      target = RequestTarget.resolve(r.uri(), listener);
    } catch (RequestTarget.Rejected e) {
      listener.metrics().count(null, HttpMetrics.Outcome.REFUSED);
      respondError(e.status, e.getMessage(), keepAlive && bodyless(r), false);
      return;
    }
    ex = new Exchange(r, target);
    state = State.PREPARING;
    prepare();
  }

  private static boolean bodyless(HttpRequest r) {
    return !HttpUtil.isTransferEncodingChunked(r) && HttpUtil.getContentLength(r, 0L) == 0;
  }

  /** Gets credentials and token (usually already at hand), then connects upstream. */
  private void prepare() {
    BoundRoute route = ex.target.route();
    CompletableFuture<RouteCredentials> cf =
        route == null
            ? CompletableFuture.completedFuture(RouteCredentials.none())
            : credentialsFor(route);
    CompletableFuture<OAuth2Token> tf =
        route == null || route.tokens().isEmpty()
            ? CompletableFuture.completedFuture(null)
            : route.tokens().get().token();
    if (cf.isDone()
        && tf.isDone()
        && !cf.isCompletedExceptionally()
        && !tf.isCompletedExceptionally()) {
      ready(cf.join(), tf.join());
      return;
    }
    Exchange mine = ex;
    cf.thenCombine(tf, (c, t) -> new Object[] {c, t})
        .whenCompleteAsync(
            (pair, err) -> {
              if (ex != mine || state == State.CLOSED) {
                return;
              }
              if (err != null) {
                credentials.remove(route); // try again on the next request
                listener.metrics().count(route, HttpMetrics.Outcome.CREDENTIALS_ERROR);
                Throwable cause = err instanceof CompletionException ? err.getCause() : err;
                respondError(
                    HttpResponseStatus.BAD_GATEWAY,
                    cause instanceof io.secretless.core.SecretlessException
                        ? cause.getMessage()
                        : "service " + route.name() + ": credentials unavailable",
                    ex.clientKeepAlive && ex.replayable,
                    false);
                return;
              }
              ready((RouteCredentials) pair[0], (OAuth2Token) pair[1]);
            },
            client.eventLoop());
  }

  private CompletableFuture<RouteCredentials> credentialsFor(BoundRoute route) {
    CompletableFuture<RouteCredentials> f = credentials.get(route);
    if (f == null) {
      f =
          route.route().service().credentials().isEmpty()
              ? CompletableFuture.completedFuture(RouteCredentials.none())
              : session.credentials(route.route().service()).thenApply(RouteCredentials::new);
      credentials.put(route, f);
    }
    return f;
  }

  private void ready(RouteCredentials creds, OAuth2Token token) {
    ex.creds = creds;
    ex.token = token;
    BoundRoute route = ex.target.route();
    if (route != null && needsWholeBody(route.route()) && ex.body == null) {
      if (!lastQueued()) {
        state = State.BUFFERING;
        drain();
        return;
      }
      ex.body = queuedBody();
    }
    String formBody = null;
    if (route != null && route.route().aws().isPresent() && ex.payloadHash == null) {
      String sent = ex.request.headers().get("X-Amz-Content-Sha256");
      ex.payloadHash =
          sent != null
              ? sent
              : ex.body == null ? AwsSigV4.EMPTY_SHA256 : AwsSigV4.sha256Hex(ex.body);
    }
    if (route != null && route.route().oauth1().isPresent() && isForm(ex.request)) {
      formBody =
          ex.body == null ? "" : new String(ex.body, java.nio.charset.StandardCharsets.UTF_8);
    }
    try {
      RequestHeaders.rewrite(ex.request, ex.target, creds, token, ex.payloadHash, formBody);
    } catch (RequestTarget.Rejected e) {
      respondError(e.status, e.getMessage(), ex.clientKeepAlive && ex.replayable, false);
      return;
    }
    connectUpstream(false);
  }

  private boolean lastQueued() {
    for (HttpObject o : inbound) {
      if (o instanceof LastHttpContent) {
        return true;
      }
    }
    return false;
  }

  private long queuedBytes() {
    long n = 0;
    for (HttpObject o : inbound) {
      if (o instanceof HttpContent c) {
        n += c.content().readableBytes();
      }
    }
    return n;
  }

  /** Whether signing needs the body: AWS without X-Amz-Content-Sha256, OAuth1 with a form. */
  private boolean needsWholeBody(HttpRoute route) {
    if (ex.replayable) {
      return false;
    }
    return (route.aws().isPresent() && !ex.request.headers().contains("X-Amz-Content-Sha256"))
        || (route.oauth1().isPresent() && isForm(ex.request));
  }

  private static boolean isForm(HttpRequest r) {
    String type = r.headers().get(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33);
  }

  /** A copy of the queued body (its messages stay queued to be forwarded). */
  private byte[] queuedBody() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (HttpObject o : inbound) {
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

  // ---- upstream side -----------------------------------------------------------------------

  private void connectUpstream(boolean fresh) {
    RequestTarget t = ex.target;
    UpstreamPool.Key key = t.key();
    Channel pooled = fresh ? null : pool.acquire(key);
    if (pooled != null) {
      attach(pooled, true);
      return;
    }
    Exchange mine = ex;
    session
        .backend()
        .handler(new UpstreamInitializer(key, pool))
        .connect(t.host(), t.port())
        .addListener(
            (ChannelFuture f) -> {
              if (ex != mine || state == State.CLOSED) {
                f.channel().close();
                return;
              }
              if (!f.isSuccess()) {
                upstreamFailed("is unreachable: " + reason(f.cause()));
                return;
              }
              SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
              if (ssl == null) {
                attach(f.channel(), false);
                return;
              }
              ssl.handshakeFuture()
                  .addListener(
                      h -> {
                        if (ex != mine || state == State.CLOSED) {
                          f.channel().close();
                        } else if (h.isSuccess()) {
                          attach(f.channel(), false);
                        } else {
                          f.channel().close();
                          upstreamFailed("failed TLS verification: " + reason(h.cause()));
                        }
                      });
            });
  }

  private static String reason(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  private void upstreamFailed(String what) {
    RequestTarget t = ex.target;
    listener.metrics().count(t.route(), HttpMetrics.Outcome.UPSTREAM_ERROR);
    respondError(
        HttpResponseStatus.BAD_GATEWAY,
        "service " + ex.service() + ": upstream " + t.host() + ":" + t.port() + " " + what,
        ex.clientKeepAlive && (ex.requestDone || ex.replayable),
        ex.requestDone);
  }

  private void attach(Channel up, boolean reused) {
    UpstreamHandler h = up.pipeline().get(UpstreamHandler.class);
    h.bind(this);
    ex.upstream = up;
    ex.upstreamHandler = h;
    ex.reused = reused;
    up.write(ex.request, up.voidPromise());
    if (ex.requestDone) { // a replay of a request without body
      up.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, up.voidPromise());
      state = State.WAITING;
    } else {
      state = State.SENDING;
      drain();
    }
  }

  void onUpstream(Object msg) {
    if (ex == null || state == State.CLOSED) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse r) {
      onResponseHead(r);
    }
    if (msg instanceof HttpContent c) {
      if (ex.swallowing) {
        c.release();
        if (c instanceof LastHttpContent) {
          retryWithNewToken();
        }
        return;
      }
      boolean last = c instanceof LastHttpContent;
      client.write(c, client.voidPromise());
      if (last && ex.informational) {
        ex.informational = false;
      } else if (last) {
        responseDone();
        return;
      }
    }
    if (!client.isWritable() && ex.upstream != null) {
      ex.upstream.config().setAutoRead(false);
    }
  }

  private void onResponseHead(HttpResponse r) {
    int code = r.status().code();
    if (r.decoderResult().isFailure()) {
      ex.upstream.close();
      return;
    }
    if (code == 401 && ex.token != null && ex.replayable && !ex.retried && ex.requestDone) {
      ex.swallowing = true;
      return;
    }
    if (code >= 100 && code < 200 && code != 101) {
      ex.informational = true;
      client.write(r, client.voidPromise());
      return;
    }
    ex.responseStarted = true;
    ex.upstreamKeepAlive = HttpUtil.isKeepAlive(r);
    HttpHeaders h = r.headers();
    h.remove(HttpHeaderNames.CONNECTION);
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    if (ex.creds.hasNeedles()) {
      List<CharSequence> echoed = null;
      var it = h.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> e = it.next();
        if (ex.creds.echoes(e.getValue())) {
          if (echoed == null) {
            echoed = new ArrayList<>(1);
          }
          echoed.add(e.getKey());
        }
      }
      if (echoed != null) {
        echoed.forEach(h::remove);
      }
    }
    boolean noBody = code == 204 || code == 304 || ex.request.method().equals(HttpMethod.HEAD);
    if (!noBody && !HttpUtil.isContentLengthSet(r) && !HttpUtil.isTransferEncodingChunked(r)) {
      if (ex.clientVersion.equals(HttpVersion.HTTP_1_1)) {
        HttpUtil.setTransferEncodingChunked(r, true);
      } else {
        ex.clientKeepAlive = false; // an HTTP/1.0 client learns the end by the close
      }
    }
    r.setProtocolVersion(ex.clientVersion);
    HttpUtil.setKeepAlive(r, ex.clientKeepAlive);
    client.write(r, client.voidPromise());
  }

  private void responseDone() {
    listener.metrics().count(ex.target.route(), HttpMetrics.Outcome.FORWARDED);
    releaseUpstream(ex.requestDone && ex.upstreamKeepAlive);
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

  private void releaseUpstream(boolean reusable) {
    Channel up = ex.upstream;
    if (up == null) {
      return;
    }
    ex.upstreamHandler.unbind();
    ex.upstream = null;
    up.config().setAutoRead(true);
    if (reusable && up.isActive()) {
      pool.release(ex.upstreamHandler.key, up);
    } else {
      up.close();
    }
  }

  private void retryWithNewToken() {
    ex.swallowing = false;
    ex.retried = true;
    listener.metrics().count(ex.target.route(), HttpMetrics.Outcome.TOKEN_RETRY);
    releaseUpstream(ex.upstreamKeepAlive);
    BoundRoute route = ex.target.route();
    route.tokens().get().invalidate(ex.token);
    state = State.PREPARING;
    prepare();
  }

  void onUpstreamWritable() {
    if (state == State.SENDING) {
      drain();
    }
  }

  void flushClient() {
    client.flush();
  }

  void onUpstreamClosed(Channel up, Throwable cause) {
    if (ex == null || ex.upstream != up) {
      return;
    }
    ex.upstream = null;
    if (ex.responseStarted) {
      closeClient(); // a truncated response: the client must see the connection drop
      return;
    }
    if (ex.reused && ex.replayable && ex.requestDone && !ex.swallowing) {
      ex.reused = false; // the server closed an idle pooled connection: one fresh try
      ex.responseStarted = false;
      connectUpstream(true);
      return;
    }
    upstreamFailed(
        "closed the connection before responding" + (cause == null ? "" : ": " + reason(cause)));
  }

  // ---- endings -----------------------------------------------------------------------------

  /**
   * Answers the current request with an error; keeps the connection when {@code keepAlive}, else
   * closes it after the answer. {@code requestDone} says whether the request's body was consumed.
   */
  private void respondError(
      HttpResponseStatus status, String message, boolean keepAlive, boolean requestDone) {
    if (ex != null && ex.upstream != null) {
      releaseUpstream(false);
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

  private void closeClient() {
    state = State.CLOSED;
    client.flush();
    inbound.forEach(ReferenceCountUtil::release);
    inbound.clear();
    complete();
  }

  private void complete() {
    if (completed) {
      return;
    }
    completed = true;
    for (CompletableFuture<RouteCredentials> f : credentials.values()) {
      f.thenAccept(RouteCredentials::close);
    }
    credentials.clear();
    session.complete();
  }
}
