package io.secretless.http;

import static io.secretless.http.TestServices.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code config.responseTimeout}: an upstream that accepts the request but never starts answering.
 * nginx core has no way to delay a response (no sleep), so the upstream here is a plain loopback
 * TCP server in the test that accepts, reads the request and never writes a byte.
 */
class ResponseTimeoutIT {
  static final String API_KEY = "Timeout-Canary-5e7a2";

  /** Accepts connections, reads until the peer closes, counts accepted and closed connections. */
  static final class SilentServer implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger closedByPeer = new AtomicInteger();
    final AtomicInteger requestBytes = new AtomicInteger();

    SilentServer() throws IOException {
      socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
      return socket.getLocalPort();
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          accepted.incrementAndGet();
          Thread.ofVirtual().start(() -> readUntilClosed(s));
        } catch (IOException e) {
          return; // closed by the test
        }
      }
    }

    private void readUntilClosed(Socket s) {
      try (s;
          InputStream in = s.getInputStream()) {
        byte[] buf = new byte[4096];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          requestBytes.addAndGet(n);
        }
        closedByPeer.incrementAndGet();
      } catch (IOException e) {
        closedByPeer.incrementAndGet(); // reset by the broker: closed as well
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void upstreamThatNeverAnswersGives504NamingServiceAndUpstreamAndIsNotPooled() throws Exception {
    try (SilentServer silent = new SilentServer()) {
      var svc =
          service(
              "slow-api",
              "generic_http",
              Map.of("apikey", API_KEY),
              Map.of(
                  "headers",
                  Map.of("Authorization", "Bearer {{ .apikey }}"),
                  "upstream",
                  "http://127.0.0.1:" + silent.port(),
                  "responseTimeout",
                  "1s"));
      try (var broker = new TestListener(new GenericHttpConnector(), List.of(svc))) {
        String url = "http://127.0.0.1:" + broker.port() + "/never";
        var r = Curl.run(Map.of(), "-i", url);

        assertThat(r.out()).as(r.err()).startsWith("HTTP/1.1 504");
        assertThat(r.out())
            .contains("secretless: service slow-api: upstream 127.0.0.1:" + silent.port())
            .contains("within 1s")
            .doesNotContain(API_KEY);
        assertThat(silent.requestBytes.get()).as("the request reached the upstream").isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> silent.closedByPeer.get() == 1);
        assertThat(broker.metrics())
            .containsPattern(
                "secretless_http_requests_total\\{outcome=\"upstream_timeout\","
                    + "service=\"slow-api\"\\} 1");

        // The timed-out connection was closed, not pooled: the next request dials a new one.
        var again = Curl.run(Map.of(), "-i", url);
        assertThat(again.out()).startsWith("HTTP/1.1 504");
        assertThat(silent.accepted.get()).isEqualTo(2);
      }
    }
  }
}
