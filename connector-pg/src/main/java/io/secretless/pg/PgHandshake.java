package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.Credentials;
import io.secretless.pg.message.BackendDecoder;
import io.secretless.pg.message.BackendKeyData;
import io.secretless.pg.message.BackendMessage;
import io.secretless.pg.message.CancelRequest;
import io.secretless.pg.message.ErrorResponse;
import io.secretless.pg.message.FrontendDecoder;
import io.secretless.pg.message.FrontendMessage;
import io.secretless.pg.message.NegotiateProtocolVersion;
import io.secretless.pg.message.ParameterStatus;
import io.secretless.pg.message.ReadyForQuery;
import io.secretless.pg.message.StartupMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection from accept to relay: the client's StartupMessage, the credentials, the
 * backend login, then the hand-over to the broker's relay. Every failure ends in {@link #fail}: a
 * FATAL ErrorResponse to the client, credentials zeroed, the backend closed, {@code session.fail}.
 * Runs on the client's event loop; a pooled backend may belong to another loop, and its pipeline is
 * then changed only by tasks queued on that loop.
 */
final class PgHandshake {
  private static final Logger log = LoggerFactory.getLogger(PgHandshake.class);
  static final String FRONTEND_DECODER = "pg-frontend-decoder";
  static final String FRONTEND_HANDLER = "pg-frontend";
  static final String BACKEND_DECODER = "pg-backend-decoder";
  static final String BACKEND_LOGIN = "pg-backend-login";
  static final String FRONTEND_SCANNER = "pg-frontend-scanner";
  static final String BACKEND_SCANNER = "pg-backend-scanner";
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Client bytes held during the login beyond which the broker stops reading (backpressure). */
  static final int READ_AHEAD_LIMIT = 64 * 1024;

  private static final int GREETING_TAIL = 13 + 6; // BackendKeyData, ReadyForQuery

  private final BoundPgConnector connector;
  private final ConnectorSession session;
  private final ServiceConfig service;
  private final Channel client;
  private final HeldBytes clientBytes = new HeldBytes();
  private final HeldBytes backendBytes = new HeldBytes();
  private Channel backend;
  private Credentials credentials;
  private boolean over;
  private ScheduledFuture<?> timer;
  private String poolKey; // set when the service pools backends
  private BackendKeyData backendKey;
  private final Map<String, String> loginParameters = new LinkedHashMap<>();
  private PooledBackend pooled;
  private Map<String, String> clientParameters;
  private boolean retried; // a login refused with cached credentials was tried again

  PgHandshake(BoundPgConnector connector, ConnectorSession session) {
    this.connector = connector;
    this.session = session;
    this.service = connector.service();
    this.client = session.client();
  }

  void begin() {
    startTimer();
    client
        .pipeline()
        .addLast(FRONTEND_DECODER, new FrontendDecoder())
        .addLast(FRONTEND_HANDLER, new FrontendHandler(this, connector.clientTls()));
    client.closeFuture().addListener(f -> clientClosed());
    client.read();
  }

  /**
   * Fails with a PostgreSQL error shortly before the broker's own {@code handshakeTimeout} would
   * close the connection without one, so the client learns why.
   */
  private void startTimer() {
    long millis = connector.handshakeTimerMillis();
    timer =
        client
            .eventLoop()
            .schedule(
                () ->
                    fail(
                        new PgException(
                            FailureReason.TIMEOUT,
                            PgException.CANNOT_CONNECT,
                            "login to the backend did not finish within "
                                + millis
                                + " ms (handshakeTimeout)")),
                millis,
                TimeUnit.MILLISECONDS);
  }

  /**
   * When {@link #startTimer} fails the login: at 90 % of the service's {@code handshakeTimeout}
   * (default 30 s), at most 1 s before it. Depends only on the service: computed once.
   */
  static long handshakeTimerMillis(ServiceConfig service) {
    long limit;
    try {
      limit = service.config().duration("handshakeTimeout").orElse(DEFAULT_TIMEOUT).toMillis();
    } catch (RuntimeException e) {
      limit = DEFAULT_TIMEOUT.toMillis(); // the loader reports a bad value
    }
    return Math.max(limit * 9 / 10, limit - 1000);
  }

  BoundPgConnector connector() {
    return connector;
  }

  ConnectorSession session() {
    return session;
  }

  Channel client() {
    return client;
  }

  boolean over() {
    return over;
  }

  /** The connection carries a CancelRequest: no login, no relay. */
  void cancel(CancelRequest request) {
    over = true; // the decoder decodes nothing after a CancelRequest; the broker closes us
    clientBytes.discard();
    backendBytes.discard();
    timer.cancel(false);
    connector.forwardCancel(session, request);
  }

  /** The client is logged in as far as it knows: find credentials, then log in to the backend. */
  void startup(StartupMessage startup) {
    Map<String, String> parameters = startup.parameters(); // filtered by startupParameters
    List<String> protocolOptions = new ArrayList<>(0);
    for (String name : parameters.keySet()) {
      if (StartupMessage.isProtocolOption(name)) {
        protocolOptions.add(name);
      }
    }
    if (startup.minorVersion() > 0 || !protocolOptions.isEmpty()) {
      writeToClient(new NegotiateProtocolVersion(0, protocolOptions));
    }
    clientParameters = parameters;
    resolveAndConnect();
  }

  private void resolveAndConnect() {
    connector
        .prepare(session)
        .whenCompleteAsync(
            (target, error) -> {
              if (error != null) {
                fail(PgException.of(error, FailureReason.CREDENTIALS));
              } else if (over) {
                target.credentials().close();
              } else {
                connect(target, clientParameters);
              }
            },
            client.eventLoop());
  }

  /** A parked backend with an identical login when the service pools them, else a new login. */
  private void connect(BackendTarget target, Map<String, String> clientParameters) {
    Map<String, String> startup =
        BackendLogin.startupParameters(target.settings(), clientParameters);
    Optional<BackendPool> pool = connector.pool();
    if (pool.isPresent()) {
      poolKey = pool.get().key(target.settings(), startup);
      Optional<PooledBackend> idle = pool.get().take(client.eventLoop(), poolKey);
      if (idle.isPresent()) {
        reuse(idle.get(), target);
        return;
      }
    }
    login(target, startup);
  }

  /**
   * The client gets what a login would have told it: AuthenticationOk, the backend's parameters, a
   * cancel key of the broker's mapped to the backend's real one, ReadyForQuery idle.
   */
  private void reuse(PooledBackend idle, BackendTarget target) {
    target.credentials().close();
    pooled = idle;
    backend = idle.channel();
    byte[] greeting = idle.greeting();
    ByteBuf out = client.alloc().buffer(greeting.length + GREETING_TAIL);
    out.writeBytes(greeting);
    connector.cancelKeys().register(client, idle.backendKey()).encode(out);
    new ReadyForQuery('I').encode(out);
    client.write(out);
    relay();
  }

  private void login(BackendTarget target, Map<String, String> startupParameters) {
    credentials = target.credentials();
    BackendConnection.open(session, target, channel -> backend = channel)
        .addListener((Future<Channel> f) -> loggedIn(f, target.settings(), startupParameters));
  }

  private void loggedIn(
      Future<Channel> ready, BackendSettings settings, Map<String, String> startupParameters) {
    if (!ready.isSuccess()) {
      fail(ready.cause());
      return;
    }
    if (over) {
      ready.getNow().close();
      return;
    }
    BackendLogin login = new BackendLogin(this, settings, startupParameters);
    backend.pipeline().addLast(BACKEND_DECODER, new BackendDecoder()).addLast(BACKEND_LOGIN, login);
    login.start();
  }

  /** A ParameterStatus of the login, kept for the clients a pooled backend serves later. */
  void loginParameter(ParameterStatus status) {
    loginParameters.put(status.name(), status.value());
  }

  /** The backend's real cancel key, kept for the clients a pooled backend serves later. */
  void backendKey(BackendKeyData key) {
    backendKey = key;
  }

  /** The backend accepted the credentials: they are zeroed now. */
  void authenticated() {
    closeCredentials();
  }

  void writeToClient(BackendMessage message) {
    ByteBuf out = client.alloc().buffer();
    message.encode(out);
    client.write(out);
  }

  static ByteBuf encode(Channel channel, FrontendMessage message) {
    ByteBuf out = channel.alloc().buffer();
    message.encode(out);
    return out;
  }

  /** Bytes the client sent after its StartupMessage, to forward before relaying. */
  void heldFromClient(ByteBuf bytes) {
    clientBytes.add(bytes);
  }

  /** Bytes the backend sent after ReadyForQuery, to forward before relaying. */
  void heldFromBackend(ByteBuf bytes) {
    backendBytes.add(bytes);
  }

  /** How many bytes the client sent after its StartupMessage that wait for the relay. */
  int heldFromClient() {
    return clientBytes.size();
  }

  /** ReadyForQuery was written to the client: remove our handlers and hand over to the relay. */
  void relay() {
    over = true;
    timer.cancel(false);
    client.pipeline().remove(FRONTEND_DECODER); // forwards what it buffered to the handler
    client.pipeline().remove(FRONTEND_HANDLER);
    removeIfPresent(backend, BACKEND_DECODER);
    removeIfPresent(backend, BACKEND_LOGIN);
    if (pooled == null && poolKey != null && backendKey != null) {
      pooled = new PooledBackend(backend, poolKey, backendKey, loginParameters);
    }
    SessionState state = new SessionState();
    if (pooled != null) {
      FrontendScanner fromClient = new FrontendScanner(state);
      BackendScanner fromBackend = new BackendScanner(state);
      client.pipeline().addLast(FRONTEND_SCANNER, fromClient);
      if (backend.eventLoop().inEventLoop()) {
        backend.pipeline().addLast(BACKEND_SCANNER, fromBackend);
      } else { // a pooled backend of another loop: queued there before the broker's relay set-up
        Channel lent = backend;
        lent.eventLoop().execute(() -> lent.pipeline().addLast(BACKEND_SCANNER, fromBackend));
      }
      backendBytes.forEach(fromBackend::observe);
      clientBytes.forEach(fromClient::observe);
    }
    backendBytes.writeTo(client);
    clientBytes.writeTo(backend);
    client.flush();
    backend.flush();
    if (pooled == null) {
      session.relay(backend);
    } else {
      PooledBackend mine = pooled;
      BackendPool pool = connector.pool().orElseThrow();
      session.relay(backend, b -> pool.reclaim(mine, state));
    }
  }

  private static void removeIfPresent(Channel channel, String name) {
    if (channel.pipeline().get(name) != null) {
      channel.pipeline().remove(name);
    }
  }

  /** Ends the connection with a FATAL ErrorResponse carrying the cause's SQLSTATE. */
  void fail(Throwable cause) {
    fail(PgException.of(cause, FailureReason.INTERNAL));
  }

  void fail(PgException e) {
    if (over) {
      return;
    }
    if (retryWithFreshCredentials(e)) {
      return;
    }
    over = true;
    clientBytes.discard();
    backendBytes.discard();
    if (timer != null) {
      timer.cancel(false);
    }
    String prefix = "service " + service.name() + ": ";
    String message = e.getMessage().startsWith(prefix) ? e.getMessage() : prefix + e.getMessage();
    closeCredentials();
    if (backend != null) {
      backend.close();
    }
    if (client.isActive()) {
      writeToClient(ErrorResponse.fatal(e.sqlState(), "secretless: " + message));
    }
    session.fail(e.reason(), message);
  }

  /**
   * The backend refused the credentials before accepting them (nothing of the login has reached the
   * client yet) and they came from a cache that may not have seen a rotation: drop the cached
   * copies, resolve again and log in once more on a new backend connection. Once per client
   * connection, so a password that is simply wrong fails after one more attempt.
   */
  private boolean retryWithFreshCredentials(PgException e) {
    boolean refused =
        e.reason() == FailureReason.BACKEND_AUTH
            && (e.sqlState().equals(PgException.INVALID_PASSWORD)
                || e.sqlState().equals(PgException.INVALID_AUTHORIZATION));
    if (retried
        || !refused
        || credentials == null
        || backend == null
        || !session.invalidateCredentials(service)) {
      return false;
    }
    retried = true;
    log.info(
        "service {}: {}; the credentials came from a cache: fetching them again, one more login",
        service.name(),
        e.getMessage());
    closeCredentials();
    Channel refusedBy = backend;
    backend = null;
    removeIfPresent(refusedBy, BACKEND_LOGIN); // its close must not fail the next attempt
    removeIfPresent(refusedBy, BACKEND_DECODER);
    refusedBy.close();
    resolveAndConnect();
    return true;
  }

  private void clientClosed() {
    if (!over) {
      fail(
          new PgException(
              FailureReason.CLIENT_PROTOCOL,
              PgException.PROTOCOL_VIOLATION,
              "client closed the connection during the startup"));
    }
  }

  private void closeCredentials() {
    if (credentials != null) {
      credentials.close();
      credentials = null;
    }
  }
}
