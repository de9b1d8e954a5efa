package io.secretless.pg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslContext;
import io.secretless.connector.FailureReason;
import io.secretless.pg.message.CancelRequest;
import io.secretless.pg.message.FrontendDecoder;
import io.secretless.pg.message.GSSENCRequest;
import io.secretless.pg.message.SSLRequest;
import io.secretless.pg.message.SslResponse;
import io.secretless.pg.message.StartupMessage;
import java.util.Optional;

/**
 * The client side of the startup: answers SSLRequest ({@code S} and TLS when the service configures
 * client TLS, else {@code N}) and GSSENCRequest ({@code N}), forwards a CancelRequest, and passes
 * the StartupMessage on to the login. The client's user and password play no part.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
  static final String CLIENT_TLS = "pg-client-tls";

  private final PgHandshake handshake;
  private final Optional<SslContext> tls;
  private boolean encrypted;
  private boolean startupSeen;
  private boolean sslAsked;
  private boolean gssAsked;

  /**
   * Not sharable; said directly because Netty's default answer looks the class up in a per-thread
   * WeakHashMap on every pipeline add, which showed in profiles of connection churn.
   */
  @Override
  public boolean isSharable() {
    return false;
  }

  FrontendHandler(PgHandshake handshake, Optional<SslContext> tls) {
    this.handshake = handshake;
    this.tls = tls;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (handshake.over() && !(msg instanceof ByteBuf)) {
      return; // failed already; the decoder may still hand us what followed in the same read
    }
    switch (msg) {
      case ByteBuf bytes -> { // pipelined after StartupMessage
        handshake.heldFromClient(bytes);
        readAhead(ctx);
      }
      case SSLRequest r -> sslRequest(ctx);
      case GSSENCRequest r -> {
        encryptionRequest("GSSENCRequest", gssAsked);
        gssAsked = true;
        ctx.writeAndFlush(encode(ctx, SslResponse.NO));
        ctx.read();
      }
      case CancelRequest r -> handshake.cancel(r);
      case StartupMessage m -> {
        startupSeen = true;
        handshake.startup(m);
        readAhead(ctx);
      }
      default -> handshake.fail(PgException.clientProtocol("unexpected message " + msg));
    }
  }

  /**
   * Keeps the client's read armed while the login runs, up to {@link PgHandshake#READ_AHEAD_LIMIT}
   * bytes held: with auto-read off, Netty otherwise takes the socket out of the epoll read set
   * after the StartupMessage and puts it back when the relay starts, two epoll_ctl calls per
   * connection.
   */
  private void readAhead(ChannelHandlerContext ctx) {
    if (!handshake.over() && handshake.heldFromClient() < PgHandshake.READ_AHEAD_LIMIT) {
      ctx.read();
    }
  }

  private void sslRequest(ChannelHandlerContext ctx) {
    encryptionRequest("SSLRequest", sslAsked);
    sslAsked = true;
    if (tls.isEmpty()) {
      ctx.writeAndFlush(encode(ctx, SslResponse.NO));
      ctx.read();
      return;
    }
    FrontendDecoder decoder = (FrontendDecoder) ctx.pipeline().get(PgHandshake.FRONTEND_DECODER);
    if (decoder.buffered() > 0) {
      // Bytes sent before the TLS handshake would be taken as if they came over TLS.
      throw PgException.clientProtocol("received unencrypted data after SSLRequest");
    }
    encrypted = true;
    ctx.writeAndFlush(encode(ctx, SslResponse.YES))
        .addListener(
            f -> {
              if (f.isSuccess()) {
                ctx.pipeline().addFirst(CLIENT_TLS, tls.get().newHandler(ctx.alloc()));
                ctx.read();
              }
            });
  }

  /** Refuses an encryption request on an encrypted connection or a second one of its kind. */
  private void encryptionRequest(String what, boolean askedBefore) {
    if (encrypted) {
      throw PgException.clientProtocol(what + " on an encrypted connection");
    }
    if (askedBefore) {
      throw PgException.clientProtocol("duplicate " + what);
    }
  }

  private static ByteBuf encode(ChannelHandlerContext ctx, SslResponse response) {
    ByteBuf out = ctx.alloc().buffer(1);
    response.encode(out);
    return out;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent && !startupSeen && !handshake.over()) {
      // An end of input before the StartupMessage ends the handshake; after it, the broker
      // passes the half-close on to the backend once relaying.
      handshake.fail(
          new PgException(
              FailureReason.CLIENT_PROTOCOL,
              PgException.PROTOCOL_VIOLATION,
              "client closed the connection during the startup"));
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    handshake.fail(PgException.of(cause, FailureReason.CLIENT_PROTOCOL));
  }
}
