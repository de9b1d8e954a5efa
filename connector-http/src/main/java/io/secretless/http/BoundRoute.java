package io.secretless.http;

import io.netty.handler.ssl.SslContext;
import io.secretless.credentials.oauth2.OAuth2TokenSource;
import java.util.Optional;

/**
 * A route ready to serve: the compiled service plus what {@link
 * io.secretless.connector.Connector#open} built for it, the TLS context toward its upstream and its
 * OAuth2 token source. Compared by identity.
 *
 * @param reverseBase for a reverse-proxy route, the fixed part of its request targets; else null
 * @param tls verifies upstream certificates against the configured CA bundle or the JDK's trust
 *     store, with host name verification
 */
record BoundRoute(
    HttpRoute route,
    SslContext tls,
    Optional<OAuth2TokenSource> tokens,
    RequestTarget reverseBase) {
  BoundRoute(HttpRoute route, SslContext tls, Optional<OAuth2TokenSource> tokens) {
    this(
        route,
        tls,
        tokens,
        route.upstream().map(u -> RequestTarget.reverseBase(u, tls)).orElse(null));
  }

  String name() {
    return route.name();
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
