package io.secretless.broker;

import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.CredentialResolver;
import io.secretless.credentials.Credentials;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted client connection, from accept until relay, failure or completion. Every method may
 * be called from any thread; state changes happen on the client's event loop.
 */
final class ClientSession implements ConnectorSession {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final ServiceListener listener;
  private final Channel client;
  private final CredentialResolver resolver;
  private final Executor blocking;
  private final Timer.Sample started;
  static final String EOF_WATCH = "secretless-eof-watch";

  private ScheduledFuture<?> handshakeTimer;
  private boolean finished;
  private boolean clientInputEnded;

  ClientSession(
      ServiceListener listener, Channel client, CredentialResolver resolver, Executor blocking) {
    this.listener = listener;
    this.client = client;
    this.resolver = resolver;
    this.blocking = blocking;
    this.started = Timer.start();
  }

  /**
   * Client sockets allow half-closure from the start, so a client that sends its last bytes and
   * shuts its output before the backend is ready is not cut off. This handler notes the early end
   * of input during the handshake; {@link #relay} passes it on to the backend.
   */
  ChannelInboundHandlerAdapter eofWatch() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
          clientInputEnded = true;
        }
        ctx.fireUserEventTriggered(event);
      }
    };
  }

  void startHandshakeTimer() {
    long millis = listener.settings().handshakeTimeout().toMillis();
    handshakeTimer =
        client
            .eventLoop()
            .schedule(
                () ->
                    fail(
                        FailureReason.TIMEOUT,
                        "handshake did not finish within " + millis + " ms; closing"),
                millis,
                TimeUnit.MILLISECONDS);
  }

  @Override
  public Channel client() {
    return client;
  }

  /**
   * Right here, on the caller's thread (the event loop), when every value is at hand (literal, env,
   * a cached warehouse value), which spares the connection a hand-over to another thread and back;
   * else on a virtual thread. A failure has the same shape either way: the future fails with a
   * {@link CompletionException} around the {@link io.secretless.credentials.CredentialException}.
   */
  @Override
  public CompletableFuture<Credentials> credentials(ServiceConfig service) {
    try {
      Optional<Credentials> now = resolver.resolveWithoutBlocking(service);
      if (now.isPresent()) {
        return CompletableFuture.completedFuture(now.get());
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new CompletionException(e));
    }
    return CompletableFuture.supplyAsync(() -> resolver.resolve(service), blocking);
  }

  @Override
  public boolean invalidateCredentials(ServiceConfig service) {
    return resolver.invalidate(service);
  }

  @Override
  public Bootstrap backend() {
    return new Bootstrap()
        .group(client.eventLoop())
        .channel(listener.transport().socketChannel())
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) listener.settings().connectTimeout().toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.AUTO_READ, false);
  }

  @Override
  public void relay(Channel backend, Predicate<Channel> reclaim) {
    onLoop(
        () -> {
          if (!finish()) {
            backend.close();
            return;
          }
          if (!client.isActive()) {
            backend.close();
            return;
          }
          var meters = listener.meters();
          started.stop(meters.handshake());
          listener
              .settings()
              .idleTimeout()
              .ifPresent(
                  idle ->
                      client
                          .pipeline()
                          .addFirst(
                              new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS)));
          backend.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
          client.pipeline().remove(EOF_WATCH);
          client
              .pipeline()
              .addLast(Relay.NAME, new Relay(backend, meters.clientToBackend(), reclaim));
          Relay toClient = new Relay(client, meters.backendToClient());
          if (backend.eventLoop().inEventLoop()) {
            startBackendSide(backend, toClient);
          } else {
            // A pooled backend of another event loop: its pipeline changes only on its own loop.
            // Added from here, the relay would wait for its handlerAdded on that loop, and Netty
            // passes events by a handler in that state.
            backend.eventLoop().execute(() -> startBackendSide(backend, toClient));
          }
          if (clientInputEnded) {
            client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
          } else {
            client.read();
          }
        });
  }

  /** On the backend's event loop: its relay toward the client, then the first read. */
  private void startBackendSide(Channel backend, Relay toClient) {
    backend.pipeline().addLast(Relay.NAME, toClient);
    if (backend.isActive()) {
      backend.read();
    } else {
      client.close();
    }
  }

  @Override
  public void fail(FailureReason reason, String message) {
    onLoop(
        () -> {
          if (!finish()) {
            return;
          }
          listener.meters().failed().get(reason).increment();
          String named =
              message.startsWith("service ")
                  ? message
                  : "service " + listener.name() + ": " + message;
          log.warn("{} (client {})", named, peer());
          client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        });
  }

  @Override
  public void complete() {
    onLoop(
        () -> {
          if (finish()) {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
          }
        });
  }

  private boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    return true;
  }

  private String peer() {
    return String.valueOf(client.remoteAddress());
  }

  private void onLoop(Runnable task) {
    if (client.eventLoop().inEventLoop()) {
      task.run();
    } else {
      client.eventLoop().execute(task);
    }
  }
}
