package io.secretless.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretless.config.ConfigException;
import io.secretless.config.ListenAddress;
import io.secretless.config.ServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker core against real loopback sockets, with a test-only pass-through connector. */
class BrokerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private EchoBackend backend;
  private Broker broker;

  @AfterEach
  void stop() throws IOException {
    if (broker != null) {
      broker.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private Socket connect(String service) throws IOException {
    ListenAddress.Tcp a = (ListenAddress.Tcp) broker.address(service);
    Socket s = new Socket(a.host(), a.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private HttpResponse<String> admin(String path) throws Exception {
    ListenAddress.Tcp a = broker.adminAddress().orElseThrow();
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void relaysMegabytesBothWaysUntouched() throws Exception {
    backend = new EchoBackend();
    broker =
        Broker.start(
            Fixtures.config(Fixtures.tcpService("echo", Fixtures.anyPort(), backend.port())),
            Fixtures.options());
    byte[] payload = new byte[8 * 1024 * 1024];
    new Random(42).nextBytes(payload);
    try (Socket s = connect("echo");
        var writer = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<?> sent =
          writer.submit(
              () -> {
                s.getOutputStream().write(payload);
                s.shutdownOutput();
                return null;
              });
      byte[] back = s.getInputStream().readAllBytes();
      sent.get();
      assertThat(back).hasSize(payload.length + 4);
      assertThat(java.util.Arrays.copyOf(back, payload.length)).isEqualTo(payload);
      assertThat(new String(back, payload.length, 4, StandardCharsets.US_ASCII)).isEqualTo("bye\n");
    }
    String metrics = admin("/metrics").body();
    assertThat(metrics)
        .contains("secretless_connections_accepted_total{service=\"echo\"} 1.0")
        .contains(
            "secretless_relay_bytes_total{direction=\"client_to_backend\",service=\"echo\"} 8388608.0");
  }

  @Test
  void halfCloseFromClientLetsBackendFinishItsAnswer() throws Exception {
    backend = new EchoBackend();
    broker =
        Broker.start(
            Fixtures.config(Fixtures.tcpService("echo", Fixtures.anyPort(), backend.port())),
            Fixtures.options());
    try (Socket s = connect("echo")) {
      s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("hello\nbye\n");
    }
  }

  @Test
  void connectorReclaimsTheBackendWhenTheClientClosesOrHalfCloses() throws Exception {
    backend = new EchoBackend();
    broker =
        Broker.start(
            Fixtures.config(
                Fixtures.service(
                    "keep", Fixtures.anyPort(), backend.port(), Map.of("reclaim", true))),
            Fixtures.options());
    TcpTestConnector.RECLAIMED.clear();
    try (Socket s = connect("keep")) {
      s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(s.getInputStream().readNBytes(3))
          .isEqualTo("hi\n".getBytes(StandardCharsets.US_ASCII));
    }
    // The backend was not closed: it still answers the connector, no "bye" from its EOF.
    assertThat(TcpTestConnector.RECLAIMED.poll(10, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo("ping\n");
    try (Socket s = connect("keep")) {
      s.getOutputStream().write("yo\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(s.getInputStream().readNBytes(3))
          .isEqualTo("yo\n".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).isEqualTo(-1); // the broker closes the client
    }
    assertThat(TcpTestConnector.RECLAIMED.poll(10, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo("ping\n");
    String metrics = admin("/metrics").body();
    assertThat(metrics)
        .contains(
            "secretless_relay_bytes_total{direction=\"client_to_backend\",service=\"keep\"} 6.0")
        .contains(
            "secretless_relay_bytes_total{direction=\"backend_to_client\",service=\"keep\"} 6.0");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                admin("/metrics")
                    .body()
                    .contains("secretless_connections_active{service=\"keep\"} 0.0"));
  }

  @Test
  void backendDownClosesClientAndCountsTheFailure() throws Exception {
    int deadPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = probe.getLocalPort();
    }
    broker =
        Broker.start(
            Fixtures.config(Fixtures.tcpService("down", Fixtures.anyPort(), deadPort)),
            Fixtures.options());
    try (Socket s = connect("down")) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(admin("/metrics").body())
                    .contains(
                        "secretless_connections_failed_total{reason=\"backend_unreachable\",service=\"down\"} 1.0"));
  }

  @Test
  void missingCredentialFailsTheConnectionNotTheBroker() throws Exception {
    backend = new EchoBackend();
    ServiceConfig broken =
        Fixtures.withPortFrom(
            Fixtures.tcpService("nocred", Fixtures.anyPort(), backend.port()),
            "env",
            "SECRETLESS_TEST_UNSET_VARIABLE");
    broker = Broker.start(Fixtures.config(broken), Fixtures.options());
    try (Socket c = connect("nocred")) {
      assertThat(c.getInputStream().read()).isEqualTo(-1);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(admin("/metrics").body())
                    .contains(
                        "secretless_connections_failed_total{reason=\"credentials\",service=\"nocred\"} 1.0"));
    assertThat(broker.ready()).isTrue();
  }

  @Test
  void readyIs503WithReasonWhileAPortIsTakenAndLiveIs200() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var address = new ListenAddress.Tcp("127.0.0.1", taken.getLocalPort());
      broker =
          Broker.start(
              Fixtures.config(Fixtures.tcpService("busy", address, 1)), Fixtures.options());
      HttpResponse<String> ready = admin("/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body())
          .contains("\"busy\":\"cannot listen on tcp://127.0.0.1:" + taken.getLocalPort());
      assertThat(admin("/live").statusCode()).isEqualTo(200);
      assertThat(admin("/metrics").body()).contains("secretless_listener_up{service=\"busy\"} 0.0");
    }
  }

  @Test
  void readyIs200WhenEveryListenerIsBound() throws Exception {
    broker =
        Broker.start(
            Fixtures.config(
                Fixtures.tcpService("a", Fixtures.anyPort(), 1),
                Fixtures.tcpService("b", Fixtures.anyPort(), 1)),
            Fixtures.options());
    HttpResponse<String> ready = admin("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"ready\":true");
  }

  @Test
  void connectionsBeyondMaxConnectionsAreRefused() throws Exception {
    backend = new EchoBackend();
    broker =
        Broker.start(
            Fixtures.config(
                Fixtures.service(
                    "limited", Fixtures.anyPort(), backend.port(), Map.of("maxConnections", 1L))),
            Fixtures.options());
    try (Socket first = connect("limited")) {
      first.getOutputStream().write('x');
      assertThat(first.getInputStream().read()).isEqualTo('x');
      try (Socket second = connect("limited")) {
        assertThat(second.getInputStream().read()).isEqualTo(-1);
      }
    }
    assertThat(admin("/metrics").body())
        .contains("secretless_connections_failed_total{reason=\"limit\",service=\"limited\"} 1.0");
  }

  @Test
  void idleTimeoutClosesASilentRelayedConnection() throws Exception {
    backend = new EchoBackend();
    broker =
        Broker.start(
            Fixtures.config(
                Fixtures.service(
                    "idle", Fixtures.anyPort(), backend.port(), Map.of("idleTimeout", "300ms"))),
            Fixtures.options());
    try (Socket s = connect("idle")) {
      s.getOutputStream().write('x');
      assertThat(s.getInputStream().read()).isEqualTo('x');
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void unixListenerReplacesAStaleSocketFileAndAppliesItsMode(@TempDir Path dir) throws Exception {
    backend = new EchoBackend();
    Path sock = dir.resolve("echo.sock");
    Files.createFile(dir.resolve("placeholder"));
    try (var stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(sock)); // leaves the socket file behind when closed
    }
    broker =
        Broker.start(
            Fixtures.config(
                Fixtures.service(
                    "unix",
                    new ListenAddress.Unix(sock),
                    backend.port(),
                    Map.of("socketMode", "0660"))),
            Fixtures.options());
    assertThat(broker.ready()).isTrue();
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(sock)))
        .isEqualTo("rw-rw----");
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
      // (a read that hangs is caught by the suite-wide JUnit timeout)
      ch.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
      ch.shutdownOutput();
      InputStream in = java.nio.channels.Channels.newInputStream(ch);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("pingbye\n");
    }
  }

  @Test
  void unknownConnectorIsAConfigErrorNamingTheAvailableOnes() {
    ServiceConfig s = Fixtures.tcpService("x", Fixtures.anyPort(), 1);
    ServiceConfig wrong =
        new ServiceConfig(
            "x",
            "nosuch",
            s.listenOn(),
            s.credentials(),
            s.config(),
            Map.of(),
            List.of(),
            s.position());
    try {
      Broker.start(Fixtures.config(wrong), Fixtures.options()).close();
      org.assertj.core.api.Assertions.fail("expected a ConfigException");
    } catch (ConfigException e) {
      assertThat(e.getMessage())
          .isEqualTo(
              "test.yml:1:1: service x: connector nosuch is not available in this build (available: tcp-test)");
    }
  }

  @Test
  void shutdownWaitsForOpenConnectionsThenCloses() throws Exception {
    backend = new EchoBackend();
    broker =
        Broker.start(
            Fixtures.config(Fixtures.tcpService("drain", Fixtures.anyPort(), backend.port())),
            Fixtures.options().withShutdownGrace(Duration.ofSeconds(5)));
    Socket s = connect("drain");
    s.getOutputStream().write('a');
    assertThat(s.getInputStream().read()).isEqualTo('a');
    var stopper = Executors.newVirtualThreadPerTaskExecutor().submit(() -> broker.shutdown());
    await().untilAsserted(() -> assertThat(broker.ready()).isFalse());
    s.getOutputStream().write('b'); // still served while draining
    assertThat(s.getInputStream().read()).isEqualTo('b');
    s.close();
    stopper.get();
    broker = null;
  }
}
