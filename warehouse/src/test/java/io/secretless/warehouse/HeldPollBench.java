package io.secretless.warehouse;

import com.sun.management.OperatingSystemMXBean;
import io.secretless.warehouse.crypto.MasterKey;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Benchmark (not a test) of what idle brokers cost the warehouse: POLLERS virtual threads hold
 * change feed polls ({@code wait=30s}, below HTTP) with no change coming, as that many brokers
 * would; each re-checks the store once a second. Prints the JVM's CPU time per second and per held
 * poll, and the audit records written. Arguments: {@code POLLERS SECONDS [postgresql-url]}; run
 * with 0 pollers for the baseline. Run after {@code mvn -pl warehouse -am test-compile} with {@code
 * java -cp warehouse/target/test-classes:warehouse/target/classes:RUNTIME_CLASSPATH
 * io.secretless.warehouse.HeldPollBench 200 20} (the runtime class path from {@code mvn -pl
 * warehouse dependency:build-classpath}; a PostgreSQL URL must name an empty database).
 */
public final class HeldPollBench {
  private HeldPollBench() {}

  public static void main(String[] args) throws Exception {
    int pollers = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    Path dir = Files.createTempDirectory("warehouse-held-poll");
    MasterKey.createKeyFile(dir.resolve("master.key"));
    var config = WarehouseConfig.defaults(dir);
    if (args.length > 2) {
      config = config.withDatabase(Optional.of(args[2]));
    }
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1")) {
      var caller = new Caller("broker", Set.of(), "bench", "bench");
      ChangeFeed feed = node.warehouse().changes();
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder answered = new LongAdder();
      long head = node.audit().head();
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < pollers; i++) {
          pool.execute(
              () -> {
                long next = head;
                while (!stop.get()) {
                  next =
                      feed.poll(caller, OptionalLong.of(next), Duration.ofSeconds(30), stop::get)
                          .next();
                  answered.increment();
                }
              });
        }
        Thread.sleep(5_000); // every poller holding, JIT warm
        long records = node.audit().head();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double cpuMs = (os.getProcessCpuTime() - cpu) / 1e6;
        double wallS = (System.nanoTime() - start) / 1e9;
        long written = node.audit().head() - records;
        stop.set(true);
        feed.wakeAll();
        System.out.printf(
            "%s: %d held polls, %.0f s: CPU %.1f ms/s (%.3f ms/s per held poll), %d audit"
                + " records written, %d polls answered%n",
            node.database().description(),
            pollers,
            wallS,
            cpuMs / wallS,
            pollers == 0 ? 0 : cpuMs / wallS / pollers,
            written,
            answered.sum());
      }
    }
  }
}
