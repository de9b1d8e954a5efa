package io.secretless.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SECRETLESS_IO_THREADS: the number of event loops; half the processors unless set. */
class BrokerOptionsTest {
  private static final int HALF = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  @Test
  void unsetOrBlankMeansHalfTheProcessorsAtLeastOne() {
    assertThat(BrokerOptions.ioThreads(Optional.empty())).isEqualTo(HALF);
    assertThat(BrokerOptions.ioThreads(Optional.of(" "))).isEqualTo(HALF);
  }

  @Test
  void aWholeNumberIsTheThreadCount() {
    assertThat(BrokerOptions.ioThreads(Optional.of("1"))).isEqualTo(1);
    assertThat(BrokerOptions.ioThreads(Optional.of(" 8 "))).isEqualTo(8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-2", "two", "1.5", "1025", "99999999999"})
  void anythingElseIsAStartErrorNamingTheVariableAndTheRange(String value) {
    assertThatThrownBy(() -> BrokerOptions.ioThreads(Optional.of(value)))
        .isInstanceOf(BrokerException.class)
        .hasMessage(
            "SECRETLESS_IO_THREADS="
                + value
                + " is not a thread count; use a whole number from 1 to 1024 (or leave it unset"
                + " for half the processors, here "
                + HALF
                + ")");
  }

  @Test
  void aBrokerRunsOnTheEventLoopsItWasGiven() {
    Broker broker =
        Broker.start(
            Fixtures.config(Fixtures.tcpService("echo", Fixtures.anyPort(), 1)),
            withThreads(Fixtures.options(), 3));
    try {
      assertThat(broker.eventLoops()).isEqualTo(3);
    } finally {
      broker.close();
    }
  }

  private static BrokerOptions withThreads(BrokerOptions o, int threads) {
    return new BrokerOptions(
        o.adminAddress(), o.shutdownGrace(), threads, o.resolver(), o.connectors());
  }
}
