package io.secretless.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Pipeline of an upstream connection: TLS (verified) when the key says so, the response framer
 * (requests and responses are relayed as bytes), ours.
 */
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
    ResponseFramer framer = new ResponseFramer();
    ch.pipeline().addLast("framer", framer);
    ch.pipeline().addLast("upstream", new UpstreamHandler(key, pool, framer));
    ch.config().setAutoRead(true);
  }
}
