package io.secretless.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;

/** Pipeline of an upstream connection: TLS (verified) when the key says so, HTTP/1.1, ours. */
final class UpstreamInitializer extends ChannelInitializer<Channel> {
  private final UpstreamPool.Key key;
  private final UpstreamPool pool;

  UpstreamInitializer(UpstreamPool.Key key, UpstreamPool pool) {
    this.key = key;
    this.pool = pool;
  }

  @Override
  protected void initChannel(Channel ch) {
    if (key.tls() != null) {
      ch.pipeline().addLast("tls", key.tls().newHandler(ch.alloc(), key.host(), key.port()));
    }
    ch.pipeline().addLast("http", new HttpClientCodec());
    ch.pipeline().addLast("upstream", new UpstreamHandler(key, pool));
    ch.config().setAutoRead(true);
  }
}
