package io.secretless.pg;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.ConnectorContext;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.CredentialResolver;
import io.secretless.credentials.Credentials;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the broker core in unit tests of the connector: a TCP listener that hands each
 * connection to the connector and relays bytes after. Records failures for assertions.
 */
final class MiniBroker implements AutoCloseable {
  final List<String> failures = new CopyOnWriteArrayList<>();
  final List<FailureReason> reasons = new CopyOnWriteArrayList<>();
  final List<Credentials> handedOut = new CopyOnWriteArrayList<>();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
  private final CredentialResolver resolver = CredentialResolver.discover();
  private final BoundConnector connector;
  private final Channel server;

  MiniBroker(ServiceConfig service) throws InterruptedException {
    connector =
        new PgConnector()
            .open(List.of(service), new ConnectorContext(new SimpleMeterRegistry(), blocking));
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.eventLoop().execute(() -> connector.accept(new Session(ch)));
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    blocking.close();
  }

  private final class Session implements ConnectorSession {
    private final Channel client;

    Session(Channel client) {
      this.client = client;
    }

    @Override
    public Channel client() {
      return client;
    }

    @Override
    public CompletableFuture<Credentials> credentials(ServiceConfig service) {
      return CompletableFuture.supplyAsync(
          () -> {
            Credentials c = resolver.resolve(service);
            handedOut.add(c);
            return c;
          },
          blocking);
    }

    @Override
    public Bootstrap backend() {
      return new Bootstrap()
          .group(client.eventLoop())
          .channel(NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.AUTO_READ, false);
    }

    @Override
    public void relay(Channel backend) {
      client.pipeline().addLast(new Relay(backend));
      backend.pipeline().addLast(new Relay(client));
      client.config().setAutoRead(true);
      backend.config().setAutoRead(true);
    }

    @Override
    public void fail(FailureReason reason, String message) {
      failures.add(message);
      reasons.add(reason);
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void complete() {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel other;

    Relay(Channel other) {
      this.other = other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      other.writeAndFlush(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
