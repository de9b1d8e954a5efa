package io.secretless.broker;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.Connector;
import io.secretless.connector.ConnectorContext;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.credentials.CredentialException;
import java.util.List;

/**
 * Test-only connector: connects to the backend named by the {@code host} and {@code port}
 * credentials and relays, with no protocol of its own. Exercises the core's life cycle.
 */
final class TcpTestConnector implements Connector {
  /**
   * With {@code config: {reclaim: true}} the connector takes the backend back when the client ends,
   * sends it {@code ping}, and queues what the backend answers here.
   */
  static final java.util.concurrent.BlockingQueue<String> RECLAIMED =
      new java.util.concurrent.LinkedBlockingQueue<>();

  @Override
  public String name() {
    return "tcp-test";
  }

  @Override
  public BoundConnector open(List<ServiceConfig> services, ConnectorContext context) {
    ServiceConfig service = services.getFirst();
    boolean reclaim = service.config().bool("reclaim", false);
    return session -> {
      // Bytes can arrive before the backend is ready (even with auto-read off, epoll reads on
      // peer half-close): hold them and forward them at relay time, as real connectors do.
      var early = new io.netty.channel.embedded.EmbeddedChannel(); // a plain holder queue
      session
          .client()
          .pipeline()
          .addLast(
              "early",
              new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                  early.writeInbound(msg);
                }
              });
      session
          .credentials(service)
          .whenCompleteAsync(
              (creds, error) -> {
                if (error != null) {
                  String message =
                      error.getCause() instanceof CredentialException c
                          ? c.getMessage()
                          : error.toString();
                  session.fail(FailureReason.CREDENTIALS, message);
                  return;
                }
                String host = creds.text("host").orElse("127.0.0.1");
                int port = Integer.parseInt(creds.text("port").orElseThrow());
                creds.close();
                connect(session, host, port, early, reclaim);
              },
              session.client().eventLoop());
    };
  }

  /** Keeps the backend: sends it ping and records its answer, then closes it. */
  private static boolean ping(Channel backend) {
    backend
        .pipeline()
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void handlerAdded(io.netty.channel.ChannelHandlerContext ctx) {
                ctx.read();
              }

              @Override
              public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) msg;
                RECLAIMED.add(buf.toString(java.nio.charset.StandardCharsets.US_ASCII));
                buf.release();
                ctx.close();
              }
            });
    backend.writeAndFlush(
        io.netty.buffer.Unpooled.copiedBuffer(
            "ping\n", java.nio.charset.StandardCharsets.US_ASCII));
    return true;
  }

  private static void connect(
      ConnectorSession session,
      String host,
      int port,
      io.netty.channel.embedded.EmbeddedChannel early,
      boolean reclaim) {
    ChannelFuture f =
        session.backend().handler(new ChannelInboundHandlerAdapter()).connect(host, port);
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            Channel backend = f.channel();
            backend.pipeline().removeFirst();
            session.client().pipeline().remove("early");
            for (Object m; (m = early.readInbound()) != null; ) {
              backend.write(m);
            }
            backend.flush();
            if (reclaim) {
              session.relay(backend, TcpTestConnector::ping);
            } else {
              session.relay(backend);
            }
          } else {
            session.fail(
                FailureReason.BACKEND_UNREACHABLE,
                "backend " + host + ":" + port + " unreachable: " + done.cause().getMessage());
          }
        });
  }
}
