package io.secretless.pg;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.pg.message.BackendKeyData;
import io.secretless.pg.message.CancelRequest;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PostgreSQL connector serving one service's listener. */
final class BoundPgConnector implements BoundConnector {
  private static final Logger log = LoggerFactory.getLogger(BoundPgConnector.class);

  private final ServiceConfig service;
  private final Optional<SslContext> clientTls;
  private final BackendTls backendTls = new BackendTls();
  private final CancelKeys cancelKeys = new CancelKeys();
  private final ScramKeyCache scramKeys = new ScramKeyCache();
  private final Executor blocking;
  private final Optional<BackendPool> pool;
  private final long handshakeTimerMillis;

  BoundPgConnector(
      ServiceConfig service,
      Optional<SslContext> clientTls,
      Executor blocking,
      Optional<BackendPool> pool) {
    this.service = service;
    this.clientTls = clientTls;
    this.blocking = blocking;
    this.pool = pool;
    this.handshakeTimerMillis = PgHandshake.handshakeTimerMillis(service);
  }

  /** The backend session pool, unless {@code pool: false}. */
  Optional<BackendPool> pool() {
    return pool;
  }

  /** Broker shutdown: parked backends are terminated. */
  @Override
  public void close() {
    pool.ifPresent(BackendPool::close);
  }

  /** Where blocking preparation (DNS, PEM parsing) runs: the broker's virtual threads. */
  Executor blocking() {
    return blocking;
  }

  /**
   * The service's credentials and the backend target made from them, with as few thread hand-overs
   * as the work allows; each costs a wake-up and context switches per connection, which showed in
   * profiles of connection churn (pgbench -C).
   *
   * <ul>
   *   <li>Credentials from providers that never block (literal, env) resolve at once on the event
   *       loop, and so does the target when nothing in it blocks either ({@link
   *       BackendTarget#prepareWithoutBlocking}: an IP address, a cached TLS context): no hop.
   *   <li>Else the target is prepared on the blocking executor: on the virtual thread that resolved
   *       the credentials when they took one (the continuation runs there), or on a new one when
   *       the credentials were at hand on the event loop.
   * </ul>
   *
   * The event loop never runs DNS, file reads or TLS context builds. The future may be complete
   * when returned; continue on the event loop with {@code whenCompleteAsync}.
   */
  CompletableFuture<BackendTarget> prepare(ConnectorSession session) {
    EventLoop loop = session.client().eventLoop();
    return session
        .credentials(service)
        .thenCompose(
            c -> {
              if (!loop.inEventLoop()) {
                return CompletableFuture.completedFuture(BackendTarget.prepare(c, backendTls));
              }
              return BackendTarget.prepareWithoutBlocking(c, backendTls)
                  .map(CompletableFuture::completedFuture)
                  .orElseGet(
                      () ->
                          CompletableFuture.supplyAsync(
                              () -> BackendTarget.prepare(c, backendTls), blocking));
            });
  }

  @Override
  public void accept(ConnectorSession session) {
    new PgHandshake(this, session).begin();
  }

  ServiceConfig service() {
    return service;
  }

  /** See {@link PgHandshake#handshakeTimerMillis}. */
  long handshakeTimerMillis() {
    return handshakeTimerMillis;
  }

  Optional<SslContext> clientTls() {
    return clientTls;
  }

  BackendTls backendTls() {
    return backendTls;
  }

  ScramKeyCache scramKeys() {
    return scramKeys;
  }

  CancelKeys cancelKeys() {
    return cancelKeys;
  }

  /**
   * Forwards a client's CancelRequest to the backend connection its key maps to, with the real key,
   * over a new connection made with fresh credentials (same TLS rules as the session). As
   * PostgreSQL does, the client gets no answer either way; an unknown key is ignored.
   */
  void forwardCancel(ConnectorSession session, CancelRequest request) {
    Optional<BackendKeyData> target = cancelKeys.lookup(request);
    if (target.isEmpty()) {
      log.debug("service {}: CancelRequest with an unknown key ignored", service.name());
      session.complete();
      return;
    }
    Channel client = session.client();
    prepare(session)
        .whenCompleteAsync(
            (backend, error) -> {
              if (error != null) {
                log.warn(
                    "service {}: cannot forward cancel: {}",
                    service.name(),
                    PgException.of(error, FailureReason.CREDENTIALS).getMessage());
                session.complete();
                return;
              }
              backend.credentials().close(); // a cancel needs the address, not the secrets
              sendCancel(session, backend, target.get());
            },
            client.eventLoop());
  }

  private void sendCancel(
      ConnectorSession session, BackendTarget backendTarget, BackendKeyData backendKey) {
    BackendConnection.open(session, backendTarget, channel -> {})
        .addListener(
            (Future<Channel> ready) -> {
              if (!ready.isSuccess()) {
                log.warn(
                    "service {}: cannot forward cancel: {}",
                    service.name(),
                    ready.cause().getMessage());
                session.complete();
                return;
              }
              Channel backend = ready.getNow();
              CancelRequest real =
                  new CancelRequest(backendKey.processId(), backendKey.secretKey());
              backend
                  .writeAndFlush(PgHandshake.encode(backend, real))
                  .addListener(ChannelFutureListener.CLOSE)
                  .addListener(f -> session.complete());
            });
  }
}
