package io.secretless.broker;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.secretless.config.ListenAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Epoll where the native transport loads (Linux), NIO otherwise; unix sockets need epoll. */
final class Transport implements AutoCloseable {
  private final boolean epoll = Epoll.isAvailable();
  private final EventLoopGroup group;

  Transport(int threads) {
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(threads, io);
  }

  EventLoopGroup group() {
    return group;
  }

  String name() {
    return epoll ? "epoll" : "nio";
  }

  Class<? extends ServerChannel> serverChannel(ListenAddress address) {
    return switch (address) {
      case ListenAddress.Tcp tcp ->
          epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
      case ListenAddress.Unix unix -> {
        if (!epoll) {
          throw new BrokerException(
              "unix socket listeners need the epoll transport, which did not load here ("
                  + Epoll.unavailabilityCause()
                  + ")");
        }
        yield EpollServerDomainSocketChannel.class;
      }
    };
  }

  Class<? extends Channel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  static SocketAddress socketAddress(ListenAddress address) {
    return switch (address) {
      case ListenAddress.Tcp tcp -> new InetSocketAddress(tcp.host(), tcp.port());
      case ListenAddress.Unix unix -> new DomainSocketAddress(unix.path().toFile());
    };
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
