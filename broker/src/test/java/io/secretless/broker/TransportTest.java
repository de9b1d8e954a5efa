package io.secretless.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.secretless.config.ListenAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** SECRETLESS_TRANSPORT: parsing, fallback, and what the listeners report and run on. */
class TransportTest {
  private final Logger listenerLog = (Logger) LoggerFactory.getLogger(ServiceListener.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private EchoBackend backend;
  private Broker broker;

  @AfterEach
  void stop() throws Exception {
    listenerLog.detachAppender(logged);
    if (broker != null) {
      broker.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void unknownTransportIsAStartUpErrorNamingTheChoices() {
    assertThatThrownBy(
            () ->
                Broker.start(
                    Fixtures.config(Fixtures.tcpService("echo", Fixtures.anyPort(), 1)),
                    Fixtures.options(),
                    Optional.of("uring")))
        .isInstanceOf(BrokerException.class)
        .hasMessage(
            "SECRETLESS_TRANSPORT=uring is not a transport; use one of io_uring, epoll, nio"
                + " (or leave it unset for "
                + Transport.Kind.DEFAULT.label()
                + ")");
  }

  @Test
  void unsetOrBlankMeansTheDefaultAndCaseDoesNotMatter() {
    assertThat(Transport.Kind.parse(Optional.empty())).isEqualTo(Transport.Kind.DEFAULT);
    assertThat(Transport.Kind.parse(Optional.of("  "))).isEqualTo(Transport.Kind.DEFAULT);
    assertThat(Transport.Kind.parse(Optional.of("IO_URING"))).isEqualTo(Transport.Kind.IO_URING);
    assertThat(Transport.Kind.parse(Optional.of(" epoll "))).isEqualTo(Transport.Kind.EPOLL);
    assertThat(Transport.Kind.parse(Optional.of("nio"))).isEqualTo(Transport.Kind.NIO);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void listenerReportsTheChosenTransportAndRelaysOnIt(String chosen) throws Exception {
    String expected = loadsHere(chosen) ? chosen : "epoll";
    logged.start();
    listenerLog.addAppender(logged);
    backend = new EchoBackend();
    broker =
        Broker.start(
            Fixtures.config(Fixtures.tcpService("echo", Fixtures.anyPort(), backend.port())),
            Fixtures.options(),
            Optional.of(chosen));

    assertThat(broker.transportName()).isEqualTo(expected);
    assertThat(logged.list)
        .map(ILoggingEvent::getFormattedMessage)
        .anyMatch(
            m -> m.startsWith("service echo: listening on ") && m.endsWith("(" + expected + ")"));
    ListenAddress.Tcp a = (ListenAddress.Tcp) broker.address("echo");
    try (Socket s = new Socket(a.host(), a.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("ping\nbye\n");
    }
  }

  @Test
  void unixListenerUnderIoUringRunsOnEpollAndKeepsHalfClose(@TempDir Path dir) throws Exception {
    logged.start();
    listenerLog.addAppender(logged);
    backend = new EchoBackend();
    Path sock = dir.resolve("echo.sock");
    broker =
        Broker.start(
            Fixtures.config(
                Fixtures.tcpService("tcp", Fixtures.anyPort(), backend.port()),
                Fixtures.tcpService("unix", new ListenAddress.Unix(sock), backend.port())),
            Fixtures.options(),
            Optional.of("io_uring"));

    String tcpTransport = IoUring.isAvailable() ? "io_uring" : "epoll";
    assertThat(logged.list)
        .map(ILoggingEvent::getFormattedMessage)
        .anyMatch(
            m -> m.startsWith("service tcp: listening on ") && m.endsWith("(" + tcpTransport + ")"))
        .anyMatch(m -> m.startsWith("service unix: listening on ") && m.endsWith("(epoll)"));
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
      ch.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
      ch.shutdownOutput();
      assertThat(new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("pingbye\n");
    }
  }

  private static boolean loadsHere(String transport) {
    return switch (transport) {
      case "io_uring" -> IoUring.isAvailable();
      case "epoll" -> Epoll.isAvailable();
      default -> true;
    };
  }
}
