package io.secretless.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker as users run it: `secretless broker` in its own process, driven by `wait-ready`, the
 * admin endpoints, a real psql client and SIGTERM.
 */
class BrokerProcessIT {
  private static final String CANARY = "Canary-Broker-Password-4d1f";
  private final HttpClient http = HttpClient.newHttpClient();
  private Process broker;

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static ProcessBuilder secretless(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(dir.toFile());
  }

  @Test
  void brokerWithBackendDownBecomesReadyCountsAndAnswersClearlyThenStopsOnSigterm(@TempDir Path dir)
      throws Exception {
    int listen = freePort();
    int admin = freePort();
    int deadBackend = freePort();
    Path config = dir.resolve("secretless.yml");
    Files.writeString(
        config,
        """
        version: "2"
        services:
          orders-db:
            connector: pg
            listenOn: tcp://127.0.0.1:%d
            credentials:
              host: 127.0.0.1
              port: %d
              username: app
              password: %s
              sslmode: disable
            config:
              connectTimeout: 2s
        """
            .formatted(listen, deadBackend, CANARY));
    Path log = dir.resolve("broker.log");
    broker =
        secretless(
                dir,
                "--log-format",
                "json",
                "broker",
                "-f",
                config.toString(),
                "--admin-address",
                "127.0.0.1:" + admin,
                "--shutdown-grace",
                "2s")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    Process wait =
        secretless(dir, "wait-ready", "--admin-address", "127.0.0.1:" + admin, "--timeout", "60s")
            .inheritIO()
            .start();
    assertThat(wait.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(wait.exitValue()).isZero();

    Process psql =
        new ProcessBuilder(
                "psql",
                "host=127.0.0.1 port=" + listen + " dbname=appdb connect_timeout=20",
                "-c",
                "select 1")
            .redirectErrorStream(true)
            .start();
    String psqlOut = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(psql.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(psql.exitValue()).isNotZero();
    assertThat(psqlOut)
        .contains("secretless: service orders-db")
        .contains("127.0.0.1:" + deadBackend);
    assertThat(psqlOut).doesNotContain(CANARY);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(get(admin, "/metrics"))
                    .contains("secretless_connections_accepted_total{service=\"orders-db\"} 1.0")
                    .contains(
                        "secretless_connections_failed_total{reason=\"backend_unreachable\",service=\"orders-db\"} 1.0"));

    broker.toHandle().destroy(); // SIGTERM
    assertThat(broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(broker.exitValue()).isZero();

    List<String> lines = Files.readAllLines(log);
    assertThat(lines).isNotEmpty();
    assertThat(String.join("\n", lines)).doesNotContain(CANARY);
    assertThat(lines.stream().filter(l -> l.startsWith("{")))
        .anySatisfy(l -> assertThat(l).contains("\"level\":\"WARN\"").contains("orders-db"));
  }

  @Test
  void runStartsTheCommandOnceReadyAndExitsWithItsCode(@TempDir Path dir) throws Exception {
    int admin = freePort();
    Path config = dir.resolve("secretless.yml");
    Files.writeString(
        config,
        """
        version: "2"
        services:
          db:
            connector: pg
            listenOn: tcp://127.0.0.1:%d
            credentials: { host: 127.0.0.1, username: app, sslmode: disable }
        """
            .formatted(freePort()));
    // exit 7 only if the broker answered ready before the command started
    String probe = "curl -sf http://127.0.0.1:" + admin + "/ready >/dev/null && exit 7; exit 1";
    Process run =
        secretless(
                dir,
                "run",
                "-f",
                config.toString(),
                "--admin-address",
                "127.0.0.1:" + admin,
                "--",
                "sh",
                "-c",
                probe)
            .redirectErrorStream(true)
            .start();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(run.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).as(out).isEqualTo(7);
  }

  @Test
  void waitReadyTimesOutWithExitOneWhenNoBrokerAnswers(@TempDir Path dir) throws Exception {
    Process wait =
        secretless(
                dir, "wait-ready", "--admin-address", "127.0.0.1:" + freePort(), "--timeout", "1s")
            .redirectErrorStream(true)
            .start();
    String out = new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(wait.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(wait.exitValue()).isEqualTo(1);
    assertThat(out).contains("not ready after 1 s");
  }

  private String get(int port, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
