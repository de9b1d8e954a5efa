package io.secretless.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretless.warehouse.crypto.MasterKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change feed's looker thread on a SQLite node: it runs only while polls are held. */
class ChangeFeedTest {
  private static final Caller BROKER = new Caller("broker", Set.of(), "test", "test");
  @TempDir Path dir;
  WarehouseNode node;

  @BeforeEach
  void open() {
    MasterKey.createKeyFile(dir.resolve("master.key"));
    node = WarehouseNode.open(WarehouseConfig.defaults(dir), "http://127.0.0.1");
  }

  @AfterEach
  void close() {
    node.close();
  }

  @Test
  void theLookerRunsWhileAPollIsHeldAndEndsAfterIt() throws Exception {
    ChangeFeed feed = node.warehouse().changes();
    long head = node.audit().head();
    assertThat(feed.looking()).isFalse();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<ChangePage> held =
          CompletableFuture.supplyAsync(
              () -> feed.poll(BROKER, OptionalLong.of(head), Duration.ofSeconds(60), stop::get),
              pool);
      await().atMost(Duration.ofSeconds(10)).until(feed::looking);
      stop.set(true);
      feed.wakeAll();
      assertThat(held.get(10, TimeUnit.SECONDS).changes()).isEmpty();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> !feed.looking());
  }
}
