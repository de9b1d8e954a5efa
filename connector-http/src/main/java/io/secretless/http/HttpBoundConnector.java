package io.secretless.http;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.secretless.connector.BoundConnector;
import io.secretless.connector.ConnectorContext;
import io.secretless.connector.ConnectorException;
import io.secretless.connector.ConnectorSession;
import io.secretless.credentials.oauth2.OAuth2TokenSource;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The HTTP services of one listener: for each accepted client, a {@link RequestFramer} and a {@link
 * ProxyHandler}; upstream connections are pooled per event loop.
 */
final class HttpBoundConnector implements BoundConnector {

  private final List<BoundRoute> routes;
  private final boolean forwardUnmatched;
  private final SslContext defaultTls;
  private final HttpMetrics metrics;
  private final ConcurrentHashMap<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();

  private HttpBoundConnector(List<BoundRoute> routes, SslContext defaultTls, HttpMetrics metrics) {
    this.routes = List.copyOf(routes);
    this.metrics = metrics;
    this.defaultTls = defaultTls;
    this.forwardUnmatched = routes.stream().anyMatch(r -> r.route().forwardUnmatched());
  }

  static HttpBoundConnector open(List<HttpRoute> routes, ConnectorContext context) {
    List<BoundRoute> bound = new ArrayList<>();
    try {
      for (HttpRoute r : routes) {
        Optional<OAuth2TokenSource> tokens =
            r.service().authentication().isEmpty()
                ? Optional.empty()
                : Optional.of(OAuth2TokenSource.forService(r.service(), context.blocking()));
        bound.add(new BoundRoute(r, tls(r), tokens));
      }
    } catch (RuntimeException e) {
      bound.forEach(b -> b.tokens().ifPresent(OAuth2TokenSource::close));
      throw e instanceof ConnectorException ? e : new ConnectorException(e.getMessage(), e);
    }
    try {
      return new HttpBoundConnector(
          bound,
          SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build(),
          new HttpMetrics(context.meters(), bound.stream().map(BoundRoute::name).toList()));
    } catch (SSLException e) {
      throw new ConnectorException("cannot build the default TLS settings: " + e.getMessage(), e);
    }
  }

  private static SslContext tls(HttpRoute r) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
      if (r.caBundle().isPresent()) {
        File ca = new File(r.caBundle().get());
        if (!ca.canRead()) {
          throw new ConnectorException(
              "service " + r.name() + ": caBundle " + ca + " is not a readable PEM file");
        }
        b.trustManager(ca);
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConnectorException(
          "service "
              + r.name()
              + ": cannot build TLS settings toward the upstream: "
              + e.getMessage(),
          e);
    }
  }

  List<BoundRoute> routes() {
    return routes;
  }

  /** TLS toward upstreams of unmatched requests (forwardUnmatchedRequests): JDK trust store. */
  SslContext defaultTls() {
    return defaultTls;
  }

  HttpMetrics metrics() {
    return metrics;
  }

  boolean forwardUnmatched() {
    return forwardUnmatched;
  }

  @Override
  public void accept(ConnectorSession session) {
    var client = session.client();
    UpstreamPool pool = pools.computeIfAbsent(client.eventLoop(), UpstreamPool::new);
    // Requests and responses are relayed as bytes (RequestFramer, ResponseHeads, ErrorResponses).
    client.pipeline().addLast("http", new RequestFramer());
    client.pipeline().addLast("secretless-http", new ProxyHandler(this, session, pool));
    client.config().setAutoRead(true); // ProxyHandler pauses it for backpressure
  }

  @Override
  public void close() {
    routes.forEach(r -> r.tokens().ifPresent(OAuth2TokenSource::close));
    pools.values().forEach(UpstreamPool::close);
    pools.clear();
  }
}
