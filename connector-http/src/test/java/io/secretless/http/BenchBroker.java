package io.secretless.http;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * For bench/http.sh only (not a test): the real broker core (Broker.start) serving one generic_http
 * reverse-proxy service to {@code args[0]}, injecting {@code Authorization: Bearer <args[1]>}, on
 * an ephemeral port printed as {@code PORT n}. Runs until killed.
 */
public final class BenchBroker {
  private BenchBroker() {}

  public static void main(String[] args) throws InterruptedException {
    var svc =
        TestServices.service(
            "bench",
            "generic_http",
            Map.of("token", args[1]),
            Map.of("headers", Map.of("Authorization", "Bearer {{ .token }}"), "upstream", args[0]));
    TestListener listener = new TestListener(new GenericHttpConnector(), List.of(svc));
    Runtime.getRuntime().addShutdownHook(new Thread(listener::close));
    System.out.println("PORT " + listener.port());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
