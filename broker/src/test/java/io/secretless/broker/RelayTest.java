package io.secretless.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** Relay hand-back on EmbeddedChannels standing in for a client and a pooled backend. */
class RelayTest {
  private final Counter bytes = new SimpleMeterRegistry().counter("bytes");

  /**
   * A backend's relay is removed by its peer: the removal, queued on the backend's loop when it is
   * another, may run after the backend's next client set up its own relay, which must survive.
   */
  @Test
  void aReclaimedBackendLosesTheLeavingClientsRelayAndKeepsTheNextClients() {
    EmbeddedChannel leaving = new EmbeddedChannel();
    EmbeddedChannel next = new EmbeddedChannel();
    EmbeddedChannel backend = new EmbeddedChannel();
    Relay leavingsRelay = new Relay(leaving, bytes);
    Relay nextsRelay = new Relay(next, bytes);
    backend.pipeline().addLast("old", leavingsRelay);
    backend.pipeline().addLast(Relay.NAME, nextsRelay);
    leaving.pipeline().addLast(Relay.NAME, new Relay(backend, bytes, b -> true));

    leaving.close();

    assertThat(backend.pipeline().get("old")).isNull();
    assertThat(backend.pipeline().get(Relay.NAME)).isSameAs(nextsRelay);
    assertThat(backend.isOpen()).as("reclaimed, not closed").isTrue();
    backend.finishAndReleaseAll();
    next.finishAndReleaseAll();
  }
}
