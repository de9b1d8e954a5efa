package io.secretless.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.secretless.config.ListenAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The event-loop transport, chosen by the {@value #ENV} environment variable ({@code io_uring},
 * {@code epoll} or {@code nio}; default {@link Kind#DEFAULT}). A native transport that does not
 * load here falls back to epoll (then NIO), with one log line at start-up giving the cause; an
 * unknown value is a start-up error. Unix socket listeners need a native transport; on io_uring
 * they run on an epoll event loop of their own (see {@link #forAddress}).
 */
final class Transport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);
  static final String ENV = "SECRETLESS_TRANSPORT";

  /** The transports the broker can run on, by the name {@value #ENV} takes. */
  enum Kind {
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    /** Used when {@value #ENV} is unset or empty (docs/BENCHMARKS.md, "io_uring vs epoll"). */
    static final Kind DEFAULT = IO_URING;

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    /** The kind {@code value} names; empty or absent means {@link #DEFAULT}. */
    static Kind parse(Optional<String> value) {
      String v = value.map(String::strip).orElse("");
      if (v.isEmpty()) {
        return DEFAULT;
      }
      String wanted = v.toLowerCase(Locale.ROOT);
      for (Kind k : values()) {
        if (k.label.equals(wanted)) {
          return k;
        }
      }
      throw new BrokerException(
          ENV
              + "="
              + v
              + " is not a transport; use one of "
              + Arrays.stream(values()).map(Kind::label).collect(Collectors.joining(", "))
              + " (or leave it unset for "
              + DEFAULT.label
              + ")");
    }

    /** Why this kind cannot run here; empty when it can. */
    Optional<Throwable> unavailability() {
      return switch (this) {
        case IO_URING ->
            IoUring.isAvailable() ? Optional.empty() : cause(IoUring.unavailabilityCause());
        case EPOLL -> Epoll.isAvailable() ? Optional.empty() : cause(Epoll.unavailabilityCause());
        case NIO -> Optional.empty();
      };
    }

    private static Optional<Throwable> cause(Throwable t) {
      return Optional.of(t != null ? t : new IllegalStateException("no cause given"));
    }
  }

  private final Kind kind;
  private final int threads;
  private final EventLoopGroup group;
  private Transport unixListeners; // io_uring only: made with the first unix listener

  /**
   * @param requested the value of {@value #ENV}
   * @throws BrokerException when {@code requested} names no transport
   */
  Transport(Optional<String> requested, int threads) {
    this(loadable(Kind.parse(requested), requested.filter(v -> !v.isBlank()).isPresent()), threads);
  }

  private Transport(Kind kind, int threads) {
    this.kind = kind;
    this.threads = threads;
    this.group = new MultiThreadIoEventLoopGroup(threads, ioHandler(kind));
  }

  /**
   * The transport for a listener on {@code address} and the backend connections of its clients:
   * this one, except unix sockets under io_uring, which get an epoll event loop group of their own.
   * Netty 4.2.18's io_uring unix-socket channel ignores ALLOW_HALF_CLOSURE (its half-close check
   * knows only TCP configs), so a client that shuts its output would be closed before the answer.
   */
  synchronized Transport forAddress(ListenAddress address) {
    if (!(address instanceof ListenAddress.Unix) || kind != Kind.IO_URING) {
      return this;
    }
    if (unixListeners == null) {
      Kind fallback = loadable(Kind.EPOLL, true);
      log.info(
          "unix socket listeners run on {}: io_uring unix sockets in Netty do not support"
              + " half-closure",
          fallback.label());
      unixListeners = new Transport(fallback, threads);
    }
    return unixListeners;
  }

  /**
   * {@code wanted} if it loads, else epoll, else NIO; says once why: a warning when {@code wanted}
   * was asked for, an info line when it is only the default (io_uring is often disabled, e.g. by
   * container seccomp profiles, and epoll is then the expected choice).
   */
  private static Kind loadable(Kind wanted, boolean explicit) {
    Optional<Throwable> why = wanted.unavailability();
    if (why.isEmpty()) {
      return wanted;
    }
    Kind fallback = Kind.EPOLL.unavailability().isEmpty() ? Kind.EPOLL : Kind.NIO;
    log.atLevel(explicit ? Level.WARN : Level.INFO)
        .log(
            "transport {} is not available here ({}); using {} instead",
            wanted.label(),
            describe(why.get()),
            fallback.label());
    return fallback;
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static IoHandlerFactory ioHandler(Kind kind) {
    return switch (kind) {
      case IO_URING -> IoUringIoHandler.newFactory();
      case EPOLL -> EpollIoHandler.newFactory();
      case NIO -> NioIoHandler.newFactory();
    };
  }

  EventLoopGroup group() {
    return group;
  }

  /** The name listeners report: io_uring, epoll or nio. */
  String name() {
    return kind.label();
  }

  Class<? extends ServerChannel> serverChannel(ListenAddress address) {
    return switch (address) {
      case ListenAddress.Tcp tcp ->
          switch (kind) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
          };
      case ListenAddress.Unix unix ->
          switch (kind) {
            case IO_URING -> IoUringServerDomainSocketChannel.class;
            case EPOLL -> EpollServerDomainSocketChannel.class;
            case NIO ->
                throw new BrokerException(
                    "unix socket listeners need the epoll or io_uring transport; this broker runs"
                        + " on nio ("
                        + Kind.EPOLL.unavailability().map(Transport::describe).orElse(ENV + "=nio")
                        + ")");
          };
    };
  }

  Class<? extends Channel> socketChannel() {
    return switch (kind) {
      case IO_URING -> IoUringSocketChannel.class;
      case EPOLL -> EpollSocketChannel.class;
      case NIO -> NioSocketChannel.class;
    };
  }

  /**
   * TCP_QUICKACK on accepted client connections where the transport has it: the client's next
   * request is not held behind a delayed ACK of the previous answer.
   */
  void quickAck(ServerBootstrap bootstrap) {
    switch (kind) {
      case IO_URING -> bootstrap.childOption(IoUringChannelOption.TCP_QUICKACK, true);
      case EPOLL -> bootstrap.childOption(EpollChannelOption.TCP_QUICKACK, true);
      case NIO -> {}
    }
  }

  static SocketAddress socketAddress(ListenAddress address) {
    return switch (address) {
      case ListenAddress.Tcp tcp -> new InetSocketAddress(tcp.host(), tcp.port());
      case ListenAddress.Unix unix -> new DomainSocketAddress(unix.path().toFile());
    };
  }

  @Override
  public void close() {
    Transport unix;
    synchronized (this) {
      unix = unixListeners;
    }
    if (unix != null) {
      unix.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
