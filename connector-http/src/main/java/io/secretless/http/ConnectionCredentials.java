package io.secretless.http;

import io.secretless.connector.ConnectorSession;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The credentials of each service one client connection has used, fetched once per connection (off
 * the event loop, by the session) and closed with the connection.
 */
final class ConnectionCredentials {
  private final ConnectorSession session;
  private final Map<BoundRoute, CompletableFuture<RouteCredentials>> byRoute = new HashMap<>(2);

  /** The last route asked for and its credentials: a connection mostly serves one service. */
  private BoundRoute lastRoute;

  private CompletableFuture<RouteCredentials> last;

  ConnectionCredentials(ConnectorSession session) {
    this.session = session;
  }

  /** The route's credentials (a completed future after the first request); none when null. */
  CompletableFuture<RouteCredentials> of(BoundRoute route) {
    if (route == null) {
      return CompletableFuture.completedFuture(RouteCredentials.none());
    }
    if (route == lastRoute) {
      return last;
    }
    CompletableFuture<RouteCredentials> f = byRoute.get(route);
    if (f == null) {
      f =
          route.route().service().credentials().isEmpty()
              ? CompletableFuture.completedFuture(RouteCredentials.none())
              : session.credentials(route.route().service()).thenApply(RouteCredentials::new);
      byRoute.put(route, f);
    }
    lastRoute = route;
    last = f;
    return f;
  }

  /** Forgets a failed fetch so that the next request tries again. */
  void forget(BoundRoute route) {
    byRoute.remove(route);
    lastRoute = null;
    last = null;
  }

  void closeAll() {
    for (CompletableFuture<RouteCredentials> f : byRoute.values()) {
      f.thenAccept(RouteCredentials::close);
    }
    byRoute.clear();
    lastRoute = null;
    last = null;
  }
}
