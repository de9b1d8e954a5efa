// Load generator for bench/warehouse.sh (run with the JDK's source launcher, not a test).
// Usage: java WarehouseLoad.java BASE_URL CLIENT_ID CLIENT_SECRET CLIENTS SECONDS
// Phase 0: GET /v1/health (no auth, no audit): the HTTP stack's ceiling on this machine.
// Phase 1: CLIENTS concurrent clients retrieve (GET /v1/credentials/{name}/secret) for SECONDS.
// Phase 2: CLIENTS concurrent clients store new credentials (POST /v1/credentials) for SECONDS.
// Every request is audited by the warehouse (audit is always on). Prints one line per phase.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

public class WarehouseLoad {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] a) throws Exception {
    String base = a[0];
    String id = a[1];
    String secret = a[2];
    int clients = Integer.parseInt(a[3]);
    int seconds = Integer.parseInt(a[4]);
    String token = token(base, id, secret);
    int creds = 20;
    for (int i = 0; i < creds; i++) {
      send(post(base + "/v1/credentials", token, "{\"name\":\"bench-" + i + "\",\"data\":{\"password\":\"pw-" + i + "\"}}"), 201, 409);
    }
    long run = System.nanoTime();
    phase("health (HTTP + SELECT 1 baseline)", clients, seconds, (c) -> HttpRequest.newBuilder(URI.create(base + "/v1/health")).GET().build(), 200);
    phase("read ", clients, seconds, (c) -> HttpRequest.newBuilder(URI.create(base + "/v1/credentials/bench-" + (c % creds) + "/secret")).header("Authorization", "Bearer " + token).GET().build(), 200);
    phase("write", clients, seconds, (c) -> post(base + "/v1/credentials", token, "{\"name\":\"w-" + run + "-" + Thread.currentThread().threadId() + "-" + System.nanoTime() + "\",\"data\":{\"k\":\"v\"}}"), 201);
  }

  static HttpRequest post(String url, String token, String json) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  static void phase(String name, int clients, int seconds, IntFunction<HttpRequest> request, int expect) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Future<long[]>> futures = new ArrayList<>();
    int[] errors = new int[1];
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        int client = c;
        futures.add(pool.submit(() -> {
          long[] lat = new long[1 << 16];
          int n = 0;
          int i = client;
          while (System.nanoTime() < end && n < lat.length) {
            long t0 = System.nanoTime();
            int status = HTTP.send(request.apply(i++), HttpResponse.BodyHandlers.discarding()).statusCode();
            lat[n++] = System.nanoTime() - t0;
            if (status != expect) {
              synchronized (errors) { errors[0]++; }
            }
          }
          return Arrays.copyOf(lat, n);
        }));
      }
    }
    List<Long> all = new ArrayList<>();
    for (Future<long[]> f : futures) for (long l : f.get()) all.add(l);
    all.sort(null);
    double p50 = all.get(all.size() / 2) / 1e6;
    double p99 = all.get((int) (all.size() * 0.99)) / 1e6;
    System.out.printf("%s clients=%d seconds=%d requests=%d errors=%d ops/s=%.0f p50=%.2fms p99=%.2fms%n",
        name, clients, seconds, all.size(), errors[0], all.size() / (double) seconds, p50, p99);
  }

  static String token(String base, String id, String secret) throws Exception {
    String basic = Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    var r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/oauth/token")).header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
    String body = r.body();
    int i = body.indexOf("\"access_token\":\"") + 16;
    return body.substring(i, body.indexOf('"', i));
  }

  static void send(HttpRequest r, int... ok) throws Exception {
    int s = HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    for (int o : ok) if (o == s) return;
    throw new IllegalStateException(r.uri() + " -> HTTP " + s);
  }
}
