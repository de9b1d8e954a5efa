package io.secretless.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.secretless.config.ConfigError;
import io.secretless.config.ServiceConfig;
import io.secretless.connector.ConnectorSession;
import io.secretless.connector.FailureReason;
import io.secretless.core.Secret;
import io.secretless.credentials.CredentialException;
import io.secretless.credentials.Credentials;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionCredentials#renew} after a 401: the session's fetches are futures the test
 * completes, and the connection's event loop is an {@link EmbeddedChannel}'s.
 */
class ConnectionCredentialsTest {
  private final EmbeddedChannel client = new EmbeddedChannel();
  private final FakeSession session = new FakeSession(client);
  private final ConnectionCredentials credentials = new ConnectionCredentials(session);
  private final BoundRoute route = route(Map.of("token", "unused"));

  private final List<RouteCredentials> handedOut = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();

  @Test
  void aValueRefusedFromACacheIsFetchedAgainOnTheLoopAndTheOldClosedOnceTheNewAreHandedOut() {
    session.fetches.add(CompletableFuture.completedFuture(creds("token-1")));
    request();
    RouteCredentials first = handedOut.getFirst();
    session.cached = true;

    assertThat(credentials.renew(route)).isTrue();
    assertThat(session.invalidated).isEqualTo(1);
    assertThat(first.value("token"))
        .as("the refused request may still relay its response")
        .isEqualTo("token-1");

    CompletableFuture<Credentials> refetch = new CompletableFuture<>();
    session.fetches.add(refetch);
    request();
    assertThat(handedOut).hasSize(1);
    refetch.complete(creds("token-2")); // as a virtual thread would
    assertThat(handedOut).as("not before the event loop runs").hasSize(1);
    client.runPendingTasks();

    assertThat(handedOut).hasSize(2);
    assertThat(handedOut.get(1).value("token")).isEqualTo("token-2");
    assertThat(first.value("token")).as("closed").isNull();
    assertThat(session.requested).isEqualTo(2);
  }

  @Test
  void withoutACacheRenewingChangesNothing() {
    session.fetches.add(CompletableFuture.completedFuture(creds("token-1")));
    request();

    assertThat(credentials.renew(route)).isFalse();
    request();

    assertThat(session.invalidated).isEqualTo(1);
    assertThat(session.requested).isEqualTo(1);
    assertThat(handedOut).hasSize(2);
    assertThat(handedOut.get(1)).isSameAs(handedOut.getFirst());
    assertThat(handedOut.getFirst().value("token")).isEqualTo("token-1");
  }

  @Test
  void aRefetchThatFailsReportsItsCauseAndTheNextRequestTriesAgain() {
    session.fetches.add(CompletableFuture.completedFuture(creds("token-1")));
    request();
    session.cached = true;
    credentials.renew(route);
    CredentialException down = new CredentialException("service api: warehouse unreachable");
    session.fetches.add(CompletableFuture.failedFuture(new CompletionException(down)));

    request();
    client.runPendingTasks();
    assertThat(failures).containsExactly(down);

    session.fetches.add(CompletableFuture.completedFuture(creds("token-2")));
    request();
    assertThat(handedOut).hasSize(2);
    assertThat(handedOut.get(1).value("token")).isEqualTo("token-2");
    assertThat(handedOut.getFirst().value("token")).as("closed").isNull();
  }

  @Test
  void aRouteWithoutCredentialsIsNeverInvalidated() {
    BoundRoute bare = route(Map.of());
    session.cached = true;

    assertThat(credentials.renew(bare)).isFalse();
    assertThat(session.invalidated).isZero();
  }

  private void request() {
    credentials.whenReady(route, client.eventLoop(), (c, token) -> handedOut.add(c), failures::add);
  }

  private static Credentials creds(String token) {
    return new Credentials("api", Map.of("token", Secret.of(token)));
  }

  private static BoundRoute route(Map<String, String> creds) {
    ServiceConfig service =
        TestServices.service(
            "api",
            "generic_http",
            creds,
            Map.of("authenticateURLsMatching", "^http://127\\.0\\.0\\.1:1/"));
    HttpRoute route =
        HttpRoute.compile(service, new GenericHttpConnector(), new ArrayList<ConfigError>())
            .orElseThrow();
    return new BoundRoute(route, null, Optional.empty());
  }

  /** Hands out the queued fetches; caches (invalidate answers true) when told to. */
  private static final class FakeSession implements ConnectorSession {
    final Channel client;
    final Queue<CompletableFuture<Credentials>> fetches = new ArrayDeque<>();
    boolean cached;
    int invalidated;
    int requested;

    FakeSession(Channel client) {
      this.client = client;
    }

    @Override
    public Channel client() {
      return client;
    }

    @Override
    public CompletableFuture<Credentials> credentials(ServiceConfig service) {
      requested++;
      return fetches.remove();
    }

    @Override
    public boolean invalidateCredentials(ServiceConfig service) {
      invalidated++;
      return cached;
    }

    @Override
    public Bootstrap backend() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void relay(Channel backend, Predicate<Channel> reclaim) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void fail(FailureReason reason, String message) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void complete() {}
  }
}
