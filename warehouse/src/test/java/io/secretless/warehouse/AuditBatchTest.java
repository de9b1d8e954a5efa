package io.secretless.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Audit records appended many to a group-commit batch, with refusals among them. */
class AuditBatchTest extends SqliteWarehouseTest {

  @Test
  void concurrentReadsStoresAndRefusalsFormOneUnbrokenChain() throws Exception {
    store("db");
    int tasks = 60;
    var failures = new AtomicInteger();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < tasks; i++) {
        int n = i;
        pool.submit(
            () -> {
              try {
                switch (n % 3) {
                  case 0 -> wh.secret(owner, "db");
                  case 1 -> store("dup-" + (n % 4)); // most of these are refused in the batch
                  default -> wh.secret(owner, "missing-" + n); // refused before the batch
                }
              } catch (WarehouseException e) {
                failures.incrementAndGet();
              }
            });
      }
    }
    // 20 reads succeed, 4 stores succeed, 16 stores and 20 reads of missing names are refused.
    assertThat(failures).hasValue(36);
    node.database().flushAccessCounts();
    var verification = node.audit().verify();
    assertThat(verification.valid()).as(verification.problem()).isTrue();
    assertThat(verification.records()).isEqualTo(1 + tasks);
    assertThat(wh.retrieve(owner, "db").credential().accessCount()).isEqualTo(20);
  }

  @Test
  void aBatchItemRolledBackAfterItsAppendDoesNotLeaveAGapInTheChain() throws Exception {
    var event =
        new io.secretless.warehouse.audit.AuditEvent(
            "a", "test", "*", io.secretless.warehouse.audit.AuditEvent.Outcome.SUCCESS, "", "", "");
    int tasks = 60;
    var refused = new AtomicInteger();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < tasks; i++) {
        boolean fail = i % 3 == 1;
        pool.submit(
            () -> {
              try {
                node.database()
                    .write(
                        c -> {
                          node.audit().append(c, event);
                          if (fail) {
                            throw WarehouseException.conflict("undone after its audit record");
                          }
                          return null;
                        });
              } catch (WarehouseException e) {
                refused.incrementAndGet();
              }
            });
      }
    }
    assertThat(refused).hasValue(20);
    var verification = node.audit().verify();
    assertThat(verification.valid()).as(verification.problem()).isTrue();
    assertThat(verification.records()).isEqualTo(40);
  }

  @Test
  void accessCountsOfConcurrentReadsAddUpExactlyPerCredential() throws Exception {
    List<String> names = List.of("a", "b", "c");
    names.forEach(this::store);
    int reads = 150;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < reads; i++) {
        String name = names.get(i % names.size());
        pool.submit(() -> wh.secret(owner, name));
      }
    }
    node.database().flushAccessCounts();
    for (String name : names) {
      var cred = wh.retrieve(owner, name).credential();
      assertThat(cred.accessCount()).as(name).isEqualTo(reads / names.size());
      assertThat(cred.lastAccess()).as(name).isPresent();
    }
    var verification = node.audit().verify();
    assertThat(verification.valid()).as(verification.problem()).isTrue();
    assertThat(verification.records()).isEqualTo(names.size() + reads + names.size());
  }

  @Test
  void batchesWithoutRefusalsDeferTheirStatementsAndRefusalsWriteAtOnce() throws Exception {
    var deferred = new AtomicInteger();
    var immediate = new AtomicInteger();
    int tasks = 40;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < tasks; i++) {
        boolean fail = i == 7;
        pool.submit(
            () -> {
              try {
                node.database()
                    .write(
                        c -> {
                          (node.database().batch(c).isPresent() ? deferred : immediate)
                              .incrementAndGet();
                          if (fail) {
                            throw WarehouseException.conflict("refused in its batch");
                          }
                          return null;
                        });
              } catch (WarehouseException expected) {
                // the one refusal
              }
            });
      }
    }
    // Batches run deferring first; the refusal's batch reruns with savepoints, not deferring.
    assertThat(deferred.get()).isPositive();
    assertThat(immediate.get()).isPositive();
  }
}
