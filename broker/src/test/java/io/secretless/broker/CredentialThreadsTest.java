package io.secretless.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.secretless.config.ListenAddress;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import io.secretless.credentials.CredentialException;
import io.secretless.credentials.CredentialProvider;
import io.secretless.credentials.CredentialResolver;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A provider that may block is called on a virtual thread only; one that never blocks, or a value a
 * caching provider holds, is resolved on the client's event loop, with no hand-over to another
 * thread.
 */
class CredentialThreadsTest {
  private EchoBackend backend;
  private Broker broker;

  /** Answers with the backend's port and records the threads it was called on. */
  private static class RecordingProvider implements CredentialProvider {
    private final String name;
    private final boolean blocks;
    final String value;
    final List<Thread> callers = new CopyOnWriteArrayList<>();

    RecordingProvider(String name, boolean blocks, String value) {
      this.name = name;
      this.blocks = blocks;
      this.value = value;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Secret get(String id) {
      callers.add(Thread.currentThread());
      return Secret.of(value);
    }

    @Override
    public boolean blocks() {
      return blocks;
    }
  }

  /** A provider that blocks on a fetch and then holds the value, as the warehouse cache does. */
  private static final class CachingProvider extends RecordingProvider {
    final List<Thread> cacheHits = new CopyOnWriteArrayList<>();
    private volatile boolean held;

    CachingProvider(String value) {
      super("caching", true, value);
    }

    @Override
    public Secret get(String id) {
      held = true;
      return super.get(id);
    }

    @Override
    public java.util.Optional<Secret> getWithoutBlocking(String id) {
      if (!held) {
        return java.util.Optional.empty();
      }
      cacheHits.add(Thread.currentThread());
      return java.util.Optional.of(Secret.of(value));
    }
  }

  @AfterEach
  void stop() throws IOException {
    if (broker != null) {
      broker.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  /** Starts the broker with the port credential from {@code provider}; one echo round trip. */
  private void echoWithPortFrom(RecordingProvider provider) throws Exception {
    ServiceConfig service =
        Fixtures.withPortFrom(
            Fixtures.tcpService("echo", Fixtures.anyPort(), backend.port()),
            provider.name(),
            "PORT");
    broker =
        Broker.start(
            Fixtures.config(service),
            Fixtures.options().withResolver(new CredentialResolver(List.of(provider))));
    echo("hello");
  }

  /** One connection through the broker: the echo backend answers the line, then "bye". */
  private void echo(String line) throws IOException {
    ListenAddress.Tcp a = (ListenAddress.Tcp) broker.address("echo");
    try (Socket c = new Socket(a.host(), a.port())) {
      c.setSoTimeout(10_000);
      c.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
      c.shutdownOutput();
      assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo(line + "\nbye\n");
    }
  }

  @Test
  void aBlockingProviderIsCalledOnAVirtualThreadNeverOnTheEventLoop() throws Exception {
    backend = new EchoBackend();
    var provider = new RecordingProvider("slow", true, Integer.toString(backend.port()));
    echoWithPortFrom(provider);
    assertThat(provider.callers).hasSize(1);
    assertThat(provider.callers.getFirst().isVirtual()).isTrue();
    assertThat(provider.callers.getFirst()).isNotInstanceOf(FastThreadLocalThread.class);
  }

  @Test
  void aProviderThatNeverBlocksIsCalledOnTheClientsEventLoop() throws Exception {
    backend = new EchoBackend();
    var provider = new RecordingProvider("quick", false, Integer.toString(backend.port()));
    echoWithPortFrom(provider);
    assertThat(provider.callers).hasSize(1);
    assertThat(provider.callers.getFirst().isVirtual()).isFalse();
    assertThat(provider.callers.getFirst()).isInstanceOf(FastThreadLocalThread.class);
  }

  @Test
  void aValueACachingProviderHoldsIsResolvedOnTheEventLoopWithoutAFetch() throws Exception {
    backend = new EchoBackend();
    var provider = new CachingProvider(Integer.toString(backend.port()));
    echoWithPortFrom(provider);
    echo("again");
    assertThat(provider.callers).as("one fetch, for the first connection").hasSize(1);
    assertThat(provider.callers.getFirst().isVirtual()).isTrue();
    assertThat(provider.cacheHits)
        .as("the second connection's value came from the cache")
        .hasSize(1);
    assertThat(provider.cacheHits.getFirst()).isInstanceOf(FastThreadLocalThread.class);
  }

  @Test
  void aProviderWithBadSettingsStopsTheStartNamingServiceAndProvider() throws Exception {
    backend = new EchoBackend();
    var misconfigured =
        new RecordingProvider("strict", true, "1") {
          @Override
          public void checkSettings() {
            throw new CredentialException("strict provider: STRICT_URL is not set");
          }
        };
    ServiceConfig service =
        Fixtures.withPortFrom(
            Fixtures.tcpService("echo", Fixtures.anyPort(), backend.port()), "strict", "PORT");
    assertThatThrownBy(
            () ->
                Broker.start(
                    Fixtures.config(service),
                    Fixtures.options()
                        .withResolver(new CredentialResolver(List.of(misconfigured)))))
        .isInstanceOf(CredentialException.class)
        .hasMessage("service echo: from strict: strict provider: STRICT_URL is not set");
    assertThat(misconfigured.callers).as("nothing was fetched").isEmpty();
  }

  @Test
  void closingTheBrokerClosesItsCredentialProviders() throws Exception {
    backend = new EchoBackend();
    var closed = new java.util.concurrent.atomic.AtomicInteger();
    class ClosingProvider extends RecordingProvider implements AutoCloseable {
      ClosingProvider(String value) {
        super("closing", true, value);
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    }
    echoWithPortFrom(new ClosingProvider(Integer.toString(backend.port())));
    assertThat(closed).as("open while the broker runs").hasValue(0);
    broker.close();
    broker = null;
    assertThat(closed)
        .as("the warehouse provider's cache and change watcher stop with the broker")
        .hasPositiveValue();
  }
}
