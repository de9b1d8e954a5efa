package io.secretless.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.ssl.SslHandler;
import io.secretless.connector.ConnectorSession;
import java.util.function.BooleanSupplier;

/**
 * Opens a new upstream connection (TCP, then the verified TLS handshake when the key says so) on
 * the client's event loop and reports the outcome; a connection no longer wanted is closed.
 */
final class UpstreamDial {
  /** Where the outcome of a dial goes. */
  interface Outcome {
    void connected(Channel upstream);

    /** {@code what} completes "upstream HOST:PORT ...". */
    void failed(String what);
  }

  private UpstreamDial() {}

  static void connect(
      ConnectorSession session,
      UpstreamPool pool,
      RequestTarget target,
      BooleanSupplier stillWanted,
      Outcome outcome) {
    UpstreamPool.Key key = target.key();
    session
        .backend()
        .handler(new UpstreamInitializer(key, pool))
        .connect(target.host(), target.port())
        .addListener(
            (ChannelFuture f) -> {
              if (!stillWanted.getAsBoolean()) {
                f.channel().close();
              } else if (!f.isSuccess()) {
                outcome.failed("is unreachable: " + reason(f.cause()));
              } else {
                handshake(f.channel(), stillWanted, outcome);
              }
            });
  }

  private static void handshake(Channel up, BooleanSupplier stillWanted, Outcome outcome) {
    SslHandler ssl = up.pipeline().get(SslHandler.class);
    if (ssl == null) {
      outcome.connected(up);
      return;
    }
    ssl.handshakeFuture()
        .addListener(
            h -> {
              if (!stillWanted.getAsBoolean()) {
                up.close();
              } else if (h.isSuccess()) {
                outcome.connected(up);
              } else {
                up.close();
                outcome.failed("failed TLS verification: " + reason(h.cause()));
              }
            });
  }

  /** The root cause's message, for error responses. */
  static String reason(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
