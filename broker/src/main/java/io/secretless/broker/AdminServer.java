package io.secretless.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.secretless.config.ListenAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The admin HTTP listener: {@code /live}, {@code /ready} (503 with the reasons until every listener
 * is bound) and {@code /metrics} (Prometheus text). Binds to loopback unless told otherwise.
 */
final class AdminServer implements AutoCloseable {
  private final Channel channel;

  AdminServer(
      ListenAddress.Tcp address,
      Transport transport,
      Supplier<Readiness> readiness,
      Supplier<String> metrics) {
    var bound =
        new ServerBootstrap()
            .group(transport.group())
            .channel(transport.serverChannel(address))
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec(4096, 8192, 8192))
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new Handler(readiness, metrics));
                  }
                })
            .bind(Transport.socketAddress(address))
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new BrokerException(
          "cannot bind the admin listener on "
              + address
              + ": "
              + bound.cause().getMessage()
              + " (use --admin-address HOST:PORT to pick another)",
          bound.cause());
    }
    this.channel = bound.channel();
  }

  ListenAddress.Tcp address() {
    InetSocketAddress a = (InetSocketAddress) channel.localAddress();
    return new ListenAddress.Tcp(a.getHostString(), a.getPort());
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<Readiness> readiness;
    private final Supplier<String> metrics;

    Handler(Supplier<Readiness> readiness, Supplier<String> metrics) {
      this.readiness = readiness;
      this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      FullHttpResponse response;
      if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
        response =
            text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is supported\n", "text/plain");
      } else {
        response =
            switch (path) {
              case "/live" -> text(HttpResponseStatus.OK, "{\"live\":true}\n", "application/json");
              case "/ready" -> {
                Readiness r = readiness.get();
                yield text(
                    r.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    r.json(),
                    "application/json");
              }
              case "/metrics" ->
                  text(
                      HttpResponseStatus.OK,
                      metrics.get(),
                      "text/plain; version=0.0.4; charset=utf-8");
              default ->
                  text(
                      HttpResponseStatus.NOT_FOUND,
                      "not found; try /live, /ready or /metrics\n",
                      "text/plain");
            };
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      var write = ctx.writeAndFlush(response);
      if (!keepAlive) {
        write.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
      var response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
