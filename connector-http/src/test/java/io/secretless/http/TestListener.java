package io.secretless.http;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.Connector;
import io.secretless.connector.ConnectorContext;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.CredentialResolver;
import io.secretless.credentials.Credentials;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal stand-in for the broker core's listener, for tests: accepts on 127.0.0.1 with auto-read
 * off and hands each connection to the connector as the broker does (credentials resolved on
 * virtual threads, backend bootstrap on the client's event loop).
 */
final class TestListener implements AutoCloseable {
  private static final boolean EPOLL = io.netty.channel.epoll.Epoll.isAvailable();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(
          2,
          EPOLL ? io.netty.channel.epoll.EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  private final BoundConnector bound;
  private final Channel server;

  TestListener(Connector connector, List<ServiceConfig> services) {
    bound = connector.open(services, new ConnectorContext(new SimpleMeterRegistry(), blocking));
    CredentialResolver resolver = CredentialResolver.discover();
    server =
        new ServerBootstrap()
            .group(group)
            .channel(
                EPOLL
                    ? io.netty.channel.epoll.EpollServerSocketChannel.class
                    : NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.eventLoop().execute(() -> bound.accept(new Session(ch, resolver)));
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    bound.close();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    blocking.shutdownNow();
  }

  private final class Session implements ConnectorSession {
    private final Channel client;
    private final CredentialResolver resolver;

    Session(Channel client, CredentialResolver resolver) {
      this.client = client;
      this.resolver = resolver;
    }

    @Override
    public Channel client() {
      return client;
    }

    @Override
    public CompletableFuture<Credentials> credentials(ServiceConfig service) {
      return CompletableFuture.supplyAsync(() -> resolver.resolve(service), blocking);
    }

    @Override
    public Bootstrap backend() {
      return new Bootstrap()
          .group(client.eventLoop())
          .channel(EPOLL ? io.netty.channel.epoll.EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.AUTO_READ, false);
    }

    @Override
    public void relay(Channel backend) {
      throw new UnsupportedOperationException("the HTTP connector serves requests itself");
    }

    @Override
    public void fail(FailureReason reason, String message) {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void complete() {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
