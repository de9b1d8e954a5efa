package io.secretless.warehouse.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warehouse's HTTP/1.1 API on Netty: JSON under {@code /v1}, the OAuth2 token endpoint and its
 * discovery documents, on 127.0.0.1:8200 by default (HTTPS when a key store is configured). Every
 * error is {@code {"error":{"code":..,"message":..}}} with its status; bodies above the configured
 * size are refused with 413. Routes run on a virtual thread per request (they block on the store
 * and the audit commit); the event loops only parse and write. No compression: responses carry
 * secrets, and a compression side channel could leak them (BREACH-style).
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /**
   * A connection with no request in progress on which nothing is read or written for this long is
   * closed: a keep-alive client has the whole timeout after its last response, however long that
   * request took.
   */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A request (head and body) must arrive within this time of its first byte, however steadily its
   * bytes trickle in; otherwise 408 and the connection is closed.
   */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  private static final Duration DRAIN = Duration.ofSeconds(5);
  private final EventLoopGroup group;
  private final Channel server;
  private final ChannelGroup connections;
  private final ExecutorService executor;
  private final WarehouseNode node;
  private final String baseUrl;
  private final int port;
  private final ChangeRoutes changes;

  private ApiServer(
      EventLoopGroup group,
      Channel server,
      ChannelGroup connections,
      ExecutorService executor,
      WarehouseNode node,
      String baseUrl,
      ChangeRoutes changes) {
    this.group = group;
    this.server = server;
    this.connections = connections;
    this.executor = executor;
    this.node = node;
    this.baseUrl = baseUrl;
    this.port = ((InetSocketAddress) server.localAddress()).getPort();
    this.changes = changes;
  }

  /** Starts serving {@code node}; returns once the port is bound. */
  public static ApiServer start(WarehouseNode node, WarehouseConfig config) {
    return start(node, config, READ_TIMEOUT, REQUEST_TIMEOUT, router -> {});
  }

  /** For tests: shorter timeouts and extra routes. */
  static ApiServer start(
      WarehouseNode node,
      WarehouseConfig config,
      Duration readTimeout,
      Duration requestTimeout,
      Consumer<Router> extraRoutes) {
    // Jackson's default buffer recycling is per thread; with a new virtual thread per request it
    // would allocate fresh buffers for every response. A shared pool reuses them.
    var json =
        new ObjectMapper(
            JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build());
    var router = new Router();
    var auth = new Authenticator(node.verifier(), node.audit());
    new CredentialRoutes(node, auth).register(router);
    new AdminRoutes(node, auth).register(router);
    var changes = new ChangeRoutes(node.warehouse().changes(), auth);
    changes.register(router);
    extraRoutes.accept(router);
    var dispatcher = new Dispatcher(router);
    SSLContext tls = config.tls().map(TlsMaterial::sslContext).orElse(null);
    long maxBytes = config.maxRequestBytes();
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            Math.min(2, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("warehouse-api", true),
            io);
    ExecutorService executor =
        Executors.newVirtualThreadPerTaskExecutor(); // unnamed: naming costs per request
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    var limit = new ConnectionLimit(config.maxConnections(), json);
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    var bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.add(ch);
                    var p = ch.pipeline();
                    if (tls != null) {
                      var engine = tls.createSSLEngine();
                      engine.setUseClientMode(false);
                      p.addLast(new SslHandler(engine));
                    }
                    if (!limit.admit(ch)) {
                      p.addLast(new HttpResponseEncoder(), limit);
                      return;
                    }
                    p.addLast(
                        new IdleStateHandler(0, 0, readTimeout.toMillis(), TimeUnit.MILLISECONDS));
                    var deadline = new RequestDeadline(requestTimeout);
                    p.addLast(deadline);
                    // No pipeline depth cap in the codec (it fails the connection without a
                    // word): ConnectionHandler refuses past MAX_PIPELINED with a 429.
                    p.addLast(new HttpServerCodec(new HttpDecoderConfig(), Integer.MAX_VALUE));
                    p.addLast(new RequestAssembler(maxBytes, deadline));
                    p.addLast(new ConnectionHandler(dispatcher, executor, json, maxBytes));
                  }
                });
    Channel server;
    try {
      server = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      executor.shutdownNow();
      throw new WarehouseException(
          WarehouseException.ErrorCode.INTERNAL,
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage());
    }
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    String base = config.baseUrl(port);
    new TokenRoutes(node, base).register(router);
    LOG.info("warehouse API listening on {} (store: {})", base, node.database().description());
    return new ApiServer(group, server, connections, executor, node, base, changes);
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public WarehouseNode node() {
    return node;
  }

  /**
   * Stops accepting, answers held change polls, lets requests in progress finish (up to 5 s), then
   * closes every connection.
   */
  @Override
  public void close() {
    server.close().syncUninterruptibly();
    changes.stop(); // held change polls answer now, not at the end of their wait
    executor.shutdown();
    try {
      if (!executor.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("warehouse API requests still running after {}; closing anyway", DRAIN);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connections.close().awaitUninterruptibly(DRAIN.toMillis());
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(DRAIN.toMillis());
  }
}
