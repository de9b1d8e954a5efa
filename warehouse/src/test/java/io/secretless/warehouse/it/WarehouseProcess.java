package io.secretless.warehouse.it;

import static org.awaitility.Awaitility.await;

import io.secretless.warehouse.WarehouseMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A warehouse JVM started as a subprocess ({@link WarehouseMain} serve), for crash tests. */
final class WarehouseProcess implements AutoCloseable {
  private final Process process;
  final String baseUrl;
  final Path log;

  private WarehouseProcess(Process process, String baseUrl, Path log) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.log = log;
  }

  static int freePort() {
    try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code WarehouseMain args...} to completion; returns its exit code and output. */
  static Result run(Path log, String... args) throws IOException, InterruptedException {
    Process p = builder(log, args).start();
    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("warehouse command did not finish: " + List.of(args));
    }
    return new Result(p.exitValue(), java.nio.file.Files.readString(log));
  }

  record Result(int exitCode, String output) {}

  static WarehouseProcess serve(Path dataDir, Optional<String> database, Path log)
      throws IOException {
    int port = freePort();
    List<String> args =
        new ArrayList<>(
            List.of("serve", "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:" + port));
    database.ifPresent(d -> args.addAll(List.of("--database", d)));
    Process p = builder(log, args.toArray(String[]::new)).start();
    var wp = new WarehouseProcess(p, "http://127.0.0.1:" + port, log);
    HttpClient http = HttpClient.newHttpClient();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new IllegalStateException(
                    "warehouse exited: " + java.nio.file.Files.readString(log));
              }
              try {
                return http.send(
                            HttpRequest.newBuilder(URI.create(wp.baseUrl + "/v1/health")).build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200;
              } catch (IOException e) {
                return false;
              }
            });
    return wp;
  }

  private static ProcessBuilder builder(Path log, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WarehouseMain.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
