package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.pg.message.SSLRequest;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Opens a connection to the backend and, unless sslmode is disable, negotiates TLS: SSLRequest,
 * then {@code S} and a TLS handshake, or {@code N} and a failure (never a silent downgrade). The
 * returned future completes with a channel ready for the StartupMessage, or fails with a {@link
 * PgException} naming the backend and the cause.
 */
final class BackendConnection {
  /**
   * Backend reads start at 2 KiB and never shrink below 1 KiB (they still grow to 64 KiB). With
   * auto-read off Netty does one recv per read request, and its default allocator, shrunk to some
   * 80 bytes by the short answers of the pool's reset, split about one query answer in four under
   * {@code pgbench -S -C} into two reads: an extra epoll wake-up, recv and partial TLS record each.
   * The buffers live only until the relay or the TLS handler has passed their bytes on.
   */
  static final AdaptiveRecvByteBufAllocator READS =
      new AdaptiveRecvByteBufAllocator(1024, 2048, 64 * 1024);

  private BackendConnection() {}

  static Future<Channel> open(
      ConnectorSession session, BackendTarget target, Consumer<Channel> connected) {
    BackendSettings settings = target.settings();
    Optional<SslContext> tls = target.tls();
    Promise<Channel> ready = session.client().eventLoop().newPromise();
    ChannelFuture connect =
        session
            .backend()
            .option(ChannelOption.RECVBUF_ALLOCATOR, READS)
            .handler(new Negotiation(settings, tls, ready))
            .connect(target.address());
    connect.addListener(
        (ChannelFuture f) -> {
          if (f.isSuccess()) {
            connected.accept(f.channel());
          } else {
            ready.tryFailure(
                new PgException(
                    FailureReason.BACKEND_UNREACHABLE,
                    PgException.CANNOT_CONNECT,
                    "cannot connect to backend " + settings.address() + ": " + describe(f.cause()),
                    f.cause()));
          }
        });
    return ready;
  }

  private static String describe(Throwable cause) {
    if (cause instanceof ConnectTimeoutException) {
      return "connect timed out";
    }
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    if (cause instanceof UnknownHostException) {
      return "unknown host";
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  /** SSLRequest, the one-byte answer, then the TLS handshake; removes itself when done. */
  private static final class Negotiation extends ChannelInboundHandlerAdapter {
    private final BackendSettings settings;
    private final Optional<SslContext> tls;
    private final Promise<Channel> ready;
    private boolean tlsStarted;

    Negotiation(BackendSettings settings, Optional<SslContext> tls, Promise<Channel> ready) {
      this.settings = settings;
      this.tls = tls;
      this.ready = ready;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.fireChannelActive();
      if (tls.isEmpty()) {
        ctx.pipeline().remove(this);
        ready.trySuccess(ctx.channel());
        return;
      }
      ByteBuf request = ctx.alloc().buffer(8);
      new SSLRequest().encode(request);
      ctx.writeAndFlush(request)
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  ctx.read();
                } else {
                  fail("cannot send SSLRequest: " + f.cause().getMessage());
                }
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      if (tlsStarted) {
        in.release();
        fail("backend sent data before the TLS handshake finished");
        ctx.close();
        return;
      }
      try {
        if (!in.isReadable()) {
          ctx.read();
          return;
        }
        byte answer = in.readByte();
        if (answer == 'S' && !in.isReadable()) {
          startTls(ctx);
        } else if (answer == 'S') {
          fail("backend sent unencrypted data after accepting TLS");
        } else if (answer == 'N') {
          ready.tryFailure(
              new PgException(
                  FailureReason.BACKEND_PROTOCOL,
                  PgException.CANNOT_CONNECT,
                  "backend "
                      + settings.address()
                      + " does not accept TLS, and sslmode is "
                      + settings.sslMode().text()));
        } else {
          fail("backend answered the SSLRequest with '" + (char) answer + "'");
        }
      } finally {
        in.release();
      }
    }

    private void startTls(ChannelHandlerContext ctx) {
      tlsStarted = true;
      String peer = settings.sslHost().orElse(settings.host());
      SslHandler ssl = tls.get().newHandler(ctx.alloc(), peer, settings.port());
      Channel channel = ctx.channel();
      // Stay behind the SslHandler until the handshake is over: its failure also arrives as an
      // exceptionCaught that must not reach the pipeline's tail.
      ctx.pipeline().addBefore(ctx.name(), "pg-backend-tls", ssl);
      ssl.handshakeFuture()
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  ctx.pipeline().remove(this);
                  ready.trySuccess(channel);
                } else {
                  ready.tryFailure(
                      new PgException(
                          FailureReason.BACKEND_PROTOCOL,
                          PgException.CANNOT_CONNECT,
                          "TLS handshake with backend "
                              + settings.address()
                              + " failed (sslmode="
                              + settings.sslMode().text()
                              + "): "
                              + rootMessage(f.cause()),
                          f.cause()));
                }
              });
      channel.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail("backend closed the connection during TLS negotiation");
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private void fail(String detail) {
      ready.tryFailure(
          new PgException(
              FailureReason.BACKEND_PROTOCOL,
              PgException.CANNOT_CONNECT,
              "backend " + settings.address() + ": " + detail));
    }

    private static String rootMessage(Throwable t) {
      Throwable root = t;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
  }
}
