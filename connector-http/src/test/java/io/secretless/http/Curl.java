package io.secretless.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real curl client, optionally with HTTP_PROXY set, and keeps what it printed. */
final class Curl {
  record Result(int exit, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  private Curl() {}

  static Result viaProxy(int proxyPort, String... args) {
    String proxy = "http://127.0.0.1:" + proxyPort;
    return run(Map.of("http_proxy", proxy, "HTTP_PROXY", proxy), args);
  }

  static Result run(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.toLowerCase().endsWith("_proxy"));
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      var out = p.getInputStream().readAllBytes();
      var err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("curl did not finish: " + cmd);
      }
      return new Result(
          p.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run curl (apt-get install curl): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
