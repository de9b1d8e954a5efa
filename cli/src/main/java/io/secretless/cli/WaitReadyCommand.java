package io.secretless.cli;

import io.secretless.config.ListenAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code secretless wait-ready}: exits 0 once the broker's /ready says 200, 1 on timeout. */
@Command(
    name = "wait-ready",
    mixinStandardHelpOptions = true,
    description = {
      "Wait until a broker is ready (every listener bound). Replaces `sleep 5` in start scripts.",
      "Exit 0 when ready, 1 on timeout (with the last reason)."
    })
final class WaitReadyCommand implements Callable<Integer> {
  @Mixin AdminOption admin;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "give up after this long (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    String last = waitReady(admin.address, timeout);
    if (last == null) {
      return 0;
    }
    System.err.println("secretless: not ready after " + timeout.toSeconds() + " s: " + last);
    return 1;
  }

  /** Polls /ready; returns null when ready, else the last reason seen. */
  static String waitReady(ListenAddress.Tcp admin, Duration timeout) throws InterruptedException {
    String host = admin.host().contains(":") ? "[" + admin.host() + "]" : admin.host();
    URI uri = URI.create("http://" + host + ":" + admin.port() + "/ready");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer from " + uri;
    do {
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return null;
        }
        last = "HTTP " + r.statusCode() + " " + r.body().strip();
      } catch (IOException e) {
        last = "no answer from " + uri + " (" + e.getClass().getSimpleName() + ")";
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return last;
  }
}
