package io.secretless.warehouse;

import com.sun.management.OperatingSystemMXBean;
import io.secretless.warehouse.crypto.MasterKey;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Benchmark (not a test) of the read path below HTTP: CLIENTS virtual threads call {@link
 * Warehouse#secret} as an admin over 20 credentials, every read audited as over the API. Prints
 * reads/s, p50/p99 and the JVM's CPU time and bytes written to disk per read. Run by {@code
 * IN_PROCESS=1 bench/warehouse.sh}; arguments: {@code full|normal CLIENTS WARMUP_S SECONDS
 * [postgresql-url]}.
 */
public final class ReadPathBench {
  private ReadPathBench() {}

  public static void main(String[] args) throws Exception {
    String sync = args[0];
    int clients = Integer.parseInt(args[1]);
    int warmup = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    Path dir = Files.createTempDirectory("warehouse-read-path");
    MasterKey.createKeyFile(dir.resolve("master.key"));
    var config = WarehouseConfig.defaults(dir);
    if (sync.equals("normal")) {
      config = config.withSqliteSync(WarehouseConfig.SqliteSync.NORMAL);
    }
    String label = "sqlite" + (sync.equals("normal") ? "-normal" : "");
    if (args.length > 4) {
      config = config.withDatabase(Optional.of(args[4]));
      label = "postgresql";
    }
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (var node = WarehouseNode.open(config, "http://127.0.0.1:1")) {
      Warehouse wh = node.warehouse();
      var caller = new Caller("bench", Set.of(Caller.ADMIN_ROLE), "127.0.0.1", "bench");
      for (int i = 0; i < 20; i++) {
        wh.store(
            caller,
            new NewCredential(
                "bench-" + i,
                Optional.empty(),
                Map.of("password", "pw-" + i),
                List.of(),
                Optional.empty(),
                Optional.empty()));
      }
      run(wh, caller, clients, warmup);
      long disk = writeBytes();
      long cpu = os.getProcessCpuTime();
      long start = System.nanoTime();
      long[] latencies = run(wh, caller, clients, seconds);
      cpu = os.getProcessCpuTime() - cpu;
      disk = writeBytes() - disk;
      double elapsed = (System.nanoTime() - start) / 1e9;
      int n = latencies.length;
      System.out.printf(
          "%-14s in-process clients=%d %7.0f reads/s  p50=%6.2f ms  p99=%7.2f ms  cpu=%3.0f%%"
              + "  cpu_us/read=%5.1f  disk_kb/read=%5.1f  (load %.1f)%n",
          label,
          clients,
          n / elapsed,
          latencies[n / 2] / 1e6,
          latencies[(int) (n * 0.99)] / 1e6,
          100 * cpu / 1e9 / elapsed,
          cpu / 1e3 / n,
          disk / 1024.0 / n,
          os.getSystemLoadAverage());
    }
  }

  /** Bytes this process has had written to storage so far (the WAL and database files). */
  private static long writeBytes() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("write_bytes:")) {
        return Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    return 0;
  }

  /** Reads for {@code seconds}; returns every read's latency in ns, sorted. */
  private static long[] run(Warehouse wh, Caller caller, int clients, int seconds)
      throws InterruptedException {
    var stop = new AtomicBoolean();
    var all = new ConcurrentLinkedQueue<long[]>();
    var failures = new LongAdder();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        int first = c;
        pool.submit(
            () -> {
              long[] own = new long[1 << 18];
              int k = 0;
              for (int i = first; !stop.get(); i++) {
                long t = System.nanoTime();
                try {
                  wh.secret(caller, "bench-" + (i % 20));
                } catch (WarehouseException e) {
                  failures.increment();
                  continue;
                }
                if (k == own.length) {
                  own = Arrays.copyOf(own, k * 2);
                }
                own[k++] = System.nanoTime() - t;
              }
              all.add(Arrays.copyOf(own, k));
            });
      }
      Thread.sleep(seconds * 1000L);
      stop.set(true);
    }
    if (failures.sum() > 0) {
      System.out.println("reads refused or failed: " + failures.sum());
    }
    return all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
  }
}
