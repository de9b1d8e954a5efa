package io.secretless.http;

import io.secretless.connector.ConnectorSession;
import io.secretless.credentials.oauth2.OAuth2Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The credentials of each service one client connection has used, fetched once per connection (off
 * the event loop, by the session) and closed with the connection, or fetched again after the
 * upstream refused them ({@link #renew}).
 */
final class ConnectionCredentials {
  private static final CompletableFuture<OAuth2Token> NO_TOKEN =
      CompletableFuture.completedFuture(null);

  private final ConnectorSession session;
  private final Map<BoundRoute, CompletableFuture<RouteCredentials>> byRoute = new HashMap<>(2);

  /** The last route asked for and its credentials: a connection mostly serves one service. */
  private BoundRoute lastRoute;

  private CompletableFuture<RouteCredentials> last;

  /**
   * Credentials {@link #renew} replaced: the request they were rendered for may still be relaying
   * its response (whose headers are checked against them), so they are closed when the next request
   * gets its credentials, or with the connection.
   */
  private final List<CompletableFuture<RouteCredentials>> replaced = new ArrayList<>(1);

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

  /**
   * Hands {@code ready} the route's credentials and OAuth2 token (null without one): at once when
   * both are at hand, the usual case, else on {@code loop} when they arrive. A failure goes to
   * {@code failed} with its cause, and the credentials are forgotten so the next request tries
   * again.
   */
  void whenReady(
      BoundRoute route,
      Executor loop,
      BiConsumer<RouteCredentials, OAuth2Token> ready,
      Consumer<Throwable> failed) {
    CompletableFuture<RouteCredentials> cf = of(route);
    CompletableFuture<OAuth2Token> tf =
        route == null || route.tokens().isEmpty() ? NO_TOKEN : route.tokens().get().token();
    if (cf.isDone()
        && tf.isDone()
        && !cf.isCompletedExceptionally()
        && !tf.isCompletedExceptionally()) {
      closeReplaced();
      ready.accept(cf.join(), tf.join());
      return;
    }
    cf.thenCombine(tf, (c, t) -> new Object[] {c, t})
        .whenCompleteAsync(
            (pair, err) -> {
              if (err == null) {
                closeReplaced();
                ready.accept((RouteCredentials) pair[0], (OAuth2Token) pair[1]);
                return;
              }
              forget(route);
              failed.accept(err instanceof CompletionException ? err.getCause() : err);
            },
            loop);
  }

  /**
   * The upstream answered 401 to a request with the route's credentials: asks the session to drop
   * its cached copies of them. True when one came from a caching provider: then they are forgotten
   * here too, and the next {@link #whenReady} resolves them again (perhaps to a value the cache had
   * not seen yet: a rotation). False, and nothing changes, when the route has no credentials or
   * none of them is cached (a new fetch would give the same refused values).
   */
  boolean renew(BoundRoute route) {
    var service = route.route().service();
    if (service.credentials().isEmpty() || !session.invalidateCredentials(service)) {
      return false;
    }
    CompletableFuture<RouteCredentials> old = forget(route);
    if (old != null) {
      replaced.add(old);
    }
    return true;
  }

  /** Forgets the route's credentials so that the next request fetches them; returns them. */
  CompletableFuture<RouteCredentials> forget(BoundRoute route) {
    lastRoute = null;
    last = null;
    return byRoute.remove(route);
  }

  private void closeReplaced() {
    if (!replaced.isEmpty()) {
      replaced.forEach(f -> f.thenAccept(RouteCredentials::close));
      replaced.clear();
    }
  }

  void closeAll() {
    closeReplaced();
    for (CompletableFuture<RouteCredentials> f : byRoute.values()) {
      f.thenAccept(RouteCredentials::close);
    }
    byRoute.clear();
    lastRoute = null;
    last = null;
  }
}
