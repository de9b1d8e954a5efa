package io.secretless.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.secretless.config.ListenAddress;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.CredentialResolver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listen address and the services bound to it: binds (retrying while the address is busy),
 * applies the connection limit, and hands each accepted connection to the connector.
 */
final class ServiceListener {
  private static final Logger log = LoggerFactory.getLogger(ServiceListener.class);
  private static final long RETRY_MILLIS = 5_000;

  private final List<ServiceConfig> services;
  private final ListenAddress address;
  private final BoundConnector connector;
  private final boolean handshakeTimed;
  private final ServiceSettings settings;
  private final Transport transport;
  private final CredentialResolver resolver;
  private final Executor blocking;
  private final AtomicInteger active = new AtomicInteger();
  private final BrokerMetrics.ServiceMeters meters;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private volatile Channel server;
  private volatile String notReady = "not bound yet";
  private volatile boolean closed;

  ServiceListener(
      List<ServiceConfig> services,
      BoundConnector connector,
      boolean handshakeTimed,
      Transport transport,
      CredentialResolver resolver,
      Executor blocking,
      BrokerMetrics metrics) {
    this.services = services;
    this.address = services.getFirst().listenOn();
    this.connector = connector;
    this.handshakeTimed = handshakeTimed;
    this.settings = ServiceSettings.of(services.getFirst());
    this.transport = transport;
    this.resolver = resolver;
    this.blocking = blocking;
    this.meters = metrics.service(name(), active, () -> server != null);
  }

  /** The service name, or the names joined with + when several share the address. */
  String name() {
    return String.join("+", services.stream().map(ServiceConfig::name).toList());
  }

  List<ServiceConfig> services() {
    return services;
  }

  ServiceSettings settings() {
    return settings;
  }

  Transport transport() {
    return transport;
  }

  BrokerMetrics.ServiceMeters meters() {
    return meters;
  }

  int activeConnections() {
    return active.get();
  }

  /** Empty when bound; otherwise why not. */
  java.util.Optional<String> notReadyReason() {
    return server != null ? java.util.Optional.empty() : java.util.Optional.of(notReady);
  }

  /** The bound address, with port 0 resolved to the real port. */
  ListenAddress boundAddress() {
    Channel s = server;
    if (s != null && s.localAddress() instanceof InetSocketAddress inet) {
      return new ListenAddress.Tcp(inet.getHostString(), inet.getPort());
    }
    return address;
  }

  /** Tries to bind now; waits for the outcome. On failure keeps retrying in the background. */
  void bind() {
    if (closed) {
      return;
    }
    try {
      prepareSocketPath();
    } catch (BrokerException e) {
      retryLater(e.getMessage());
      return;
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(transport.group())
            .channel(transport.serverChannel(address))
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    accept(ch);
                  }
                });
    if (address instanceof ListenAddress.Tcp) {
      bootstrap
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true);
      transport.quickAck(bootstrap);
    }
    ChannelFuture bound = bootstrap.bind(Transport.socketAddress(address)).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      retryLater(describe(bound.cause()));
      return;
    }
    server = bound.channel();
    if (address instanceof ListenAddress.Unix unix) {
      setSocketMode(unix.path());
    }
    log.info("service {}: listening on {} ({})", name(), boundAddress(), transport.name());
  }

  private void retryLater(String reason) {
    notReady = "cannot listen on " + address + ": " + reason;
    log.error("service {}: {}; retrying every {} s", name(), notReady, RETRY_MILLIS / 1000);
    transport
        .group()
        .schedule(() -> blocking.execute(this::bind), RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void accept(Channel ch) {
    meters.accepted().increment();
    int now = active.incrementAndGet();
    connections.add(ch);
    ch.closeFuture().addListener(f -> active.decrementAndGet());
    ClientSession session = new ClientSession(this, ch, resolver, blocking);
    ch.pipeline().addFirst(ClientSession.EOF_WATCH, session.eofWatch());
    if (settings.maxConnections() > 0 && now > settings.maxConnections()) {
      session.fail(
          FailureReason.LIMIT,
          "maxConnections " + settings.maxConnections() + " reached; connection refused");
      return;
    }
    if (handshakeTimed) {
      session.startHandshakeTimer();
    }
    try {
      connector.accept(session);
    } catch (RuntimeException e) {
      log.error("service {}: connector failed on accept", name(), e);
      session.fail(FailureReason.INTERNAL, "connector error: " + e.getClass().getSimpleName());
    }
  }

  /** A stale socket file from a previous run is removed; anything else at the path is refused. */
  private void prepareSocketPath() {
    if (!(address instanceof ListenAddress.Unix unix)) {
      return;
    }
    Path path = unix.path();
    try {
      Files.createDirectories(path.toAbsolutePath().getParent());
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        if (!"s".equals(fileType(path))) {
          throw new BrokerException(path + " exists and is not a socket; refusing to replace it");
        }
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new BrokerException("cannot prepare " + path + ": " + e.getMessage(), e);
    }
  }

  private static String fileType(Path path) throws IOException {
    Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return ((Integer) mode & 0170000) == 0140000 ? "s" : "other";
  }

  private void setSocketMode(Path path) {
    try {
      Files.setPosixFilePermissions(
          path, PosixFilePermissions.fromString(rwx(settings.socketMode())));
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("service {}: cannot set mode {} on {}: {}", name(), settings.socketMode(), path, e);
    }
  }

  private static String rwx(String octal) {
    StringBuilder sb = new StringBuilder();
    for (char c : octal.substring(octal.length() - 3).toCharArray()) {
      int d = c - '0';
      sb.append((d & 4) != 0 ? 'r' : '-')
          .append((d & 2) != 0 ? 'w' : '-')
          .append((d & 1) != 0 ? 'x' : '-');
    }
    return sb.toString();
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** Stops accepting; open connections go on. */
  void stopAccepting() {
    closed = true;
    Channel s = server;
    if (s != null) {
      s.close().awaitUninterruptibly();
      if (address instanceof ListenAddress.Unix unix) {
        try {
          Files.deleteIfExists(unix.path());
        } catch (IOException e) {
          log.debug("could not remove {}", unix.path(), e);
        }
      }
    }
  }

  /** Closes every open connection and the connector. */
  void closeConnections() {
    connections.close().awaitUninterruptibly();
    connector.close();
  }
}
