package io.secretless.warehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.secretless.warehouse.Caller;
import io.secretless.warehouse.Change;
import io.secretless.warehouse.ChangeFeed;
import io.secretless.warehouse.ChangePage;
import io.secretless.warehouse.NewCredential;
import io.secretless.warehouse.Permission;
import io.secretless.warehouse.Rotation;
import io.secretless.warehouse.WarehouseConfig;
import io.secretless.warehouse.WarehouseException;
import io.secretless.warehouse.WarehouseNode;
import io.secretless.warehouse.crypto.MasterKey;
import io.secretless.warehouse.crypto.MasterKeySource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The change feed against each store (SQLite and PostgreSQL): what it reports, to whom, paging,
 * holding, and (PostgreSQL) a rotation through one node seen by a poll held on another.
 */
class ChangeFeedIT {
  private static final Caller OWNER = new Caller("devops", Set.of(), "it", "it");
  private static final Caller READER = new Caller("broker", Set.of(), "it", "it");
  private static final Caller STRANGER = new Caller("finance", Set.of(), "it", "it");
  private static final Caller ADMIN = new Caller("root", Set.of(Caller.ADMIN_ROLE), "it", "it");

  @TempDir Path dir;
  StoreFixture store;
  final List<WarehouseNode> nodes = new ArrayList<>();

  static Stream<Supplier<StoreFixture>> stores() {
    return Stream.of(StoreFixture::sqlite, StoreFixture::postgresql);
  }

  WarehouseNode open(Supplier<StoreFixture> fixture) {
    if (store == null) {
      store = fixture.get();
      MasterKey.createKeyFile(dir.resolve("master.key"));
    }
    var config =
        WarehouseConfig.defaults(dir)
            .withDatabase(store.databaseUrl())
            .withMasterKey(new MasterKeySource.KeyFile(dir.resolve("master.key")));
    WarehouseNode node = WarehouseNode.open(config, "http://127.0.0.1");
    nodes.add(node);
    return node;
  }

  @AfterEach
  void close() {
    nodes.forEach(WarehouseNode::close);
    if (store != null) {
      store.close();
    }
  }

  private static String put(WarehouseNode node, String name) {
    return node.warehouse()
        .store(
            OWNER,
            new NewCredential(
                name,
                Optional.empty(),
                Map.of("v", "one"),
                List.of(),
                Optional.empty(),
                Optional.empty()))
        .id();
  }

  private static void rotate(WarehouseNode node, String name, String value) {
    node.warehouse()
        .rotate(OWNER, name, new Rotation(Map.of("v", value), Optional.empty(), Optional.empty()));
  }

  private static ChangePage poll(WarehouseNode node, Caller caller, long after, Duration wait) {
    return node.warehouse().changes().poll(caller, OptionalLong.of(after), wait, () -> false);
  }

  private static long start(WarehouseNode node, Caller caller) {
    return node.warehouse()
        .changes()
        .poll(caller, OptionalLong.empty(), Duration.ZERO, () -> false)
        .next();
  }

  @ParameterizedTest
  @MethodSource("stores")
  void rotationsRevocationsAndDeletionsAreReportedOldestFirstAndNothingElse(
      Supplier<StoreFixture> fixture) {
    WarehouseNode node = open(fixture);
    String db = put(node, "db");
    String api = put(node, "api");
    node.sharing().grant(OWNER, "db", "agent:broker", EnumSet.of(Permission.READ));
    node.sharing().grant(OWNER, "api", "agent:broker", EnumSet.of(Permission.READ));
    long from = start(node, READER);

    node.warehouse().secret(READER, "db"); // a read: no change
    rotate(node, "db", "two");
    put(node, "other"); // a new credential: nothing to drop
    node.sharing().revoke(OWNER, "api", "agent:broker");

    ChangePage page = poll(node, READER, from, Duration.ZERO);
    assertThat(page.changes())
        .extracting(Change::credentialId, Change::action)
        .containsExactly(tuple(db, "rotate"), tuple(api, "revoke"));
    assertThat(page.changes()).extracting(Change::seq).isSorted();
    assertThat(page.next()).isEqualTo(page.changes().getLast().seq());
    assertThat(poll(node, READER, page.next(), Duration.ZERO).changes())
        .as("nothing new since next")
        .isEmpty();

    node.warehouse().delete(OWNER, "db");
    assertThat(poll(node, READER, from, Duration.ZERO).changes())
        .as("a rotation of a credential deleted since is left out; its deletion is reported")
        .extracting(Change::credentialId, Change::action)
        .containsExactly(tuple(api, "revoke"), tuple(db, "delete"));
  }

  @ParameterizedTest
  @MethodSource("stores")
  void anAgentWithoutAGrantSeesNoRotationOfAnothersCredentialButSeesItsDeletionAsAnId(
      Supplier<StoreFixture> fixture) {
    WarehouseNode node = open(fixture);
    String db = put(node, "db");
    long from = start(node, STRANGER);
    rotate(node, "db", "two");
    assertThat(poll(node, STRANGER, from, Duration.ZERO).changes()).isEmpty();
    assertThat(poll(node, ADMIN, from, Duration.ZERO).changes())
        .extracting(Change::action)
        .containsExactly("rotate");
    assertThat(poll(node, OWNER, from, Duration.ZERO).changes())
        .extracting(Change::action)
        .containsExactly("rotate");

    node.warehouse().delete(OWNER, "db");
    assertThat(poll(node, STRANGER, from, Duration.ZERO).changes())
        .extracting(Change::credentialId, Change::action)
        .containsExactly(tuple(db, "delete"));
  }

  @ParameterizedTest
  @MethodSource("stores")
  void moreChangesThanAPageArePagedOnFromNext(Supplier<StoreFixture> fixture) {
    WarehouseNode node = open(fixture);
    put(node, "busy");
    long from = start(node, OWNER);
    int total = ChangeFeed.PAGE + 3;
    for (int i = 0; i < total; i++) {
      rotate(node, "busy", "v" + i);
    }
    ChangePage first = poll(node, OWNER, from, Duration.ZERO);
    assertThat(first.changes()).hasSize(ChangeFeed.PAGE);
    assertThat(first.next()).isEqualTo(first.changes().getLast().seq());
    ChangePage second = poll(node, OWNER, first.next(), Duration.ZERO);
    assertThat(second.changes()).hasSize(3);
    assertThat(second.changes().getFirst().seq()).isGreaterThan(first.next());
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aHeldPollEndsWithTheFirstChangeAndAnEmptyOneKeepsItsPlace(Supplier<StoreFixture> fixture)
      throws Exception {
    WarehouseNode node = open(fixture);
    put(node, "db");
    long from = start(node, OWNER);
    ChangePage idle = poll(node, OWNER, from, Duration.ofMillis(1200));
    assertThat(idle.changes()).isEmpty();
    assertThat(idle.next()).as("its start record looked at, no change").isEqualTo(from + 1);

    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<ChangePage> held =
          CompletableFuture.supplyAsync(
              () -> poll(node, OWNER, idle.next(), Duration.ofSeconds(60)), pool);
      await().during(Duration.ofMillis(300)).until(() -> !held.isDone());
      rotate(node, "db", "two");
      assertThat(held.get(20, TimeUnit.SECONDS).changes())
          .extracting(Change::action)
          .containsExactly("rotate");
    }
  }

  @ParameterizedTest
  @MethodSource("stores")
  void aCursorPastTheHeadIsRefusedAsFromAnotherStore(Supplier<StoreFixture> fixture) {
    WarehouseNode node = open(fixture);
    long head = node.audit().head();
    assertThatThrownBy(() -> poll(node, OWNER, head + 1000, Duration.ZERO))
        .isInstanceOf(WarehouseException.class)
        .hasMessageContaining("is past the newest audit record");
  }

  @ParameterizedTest
  @MethodSource("stores")
  void everyOneOfManyHeldPollsSharingOneLookAtTheStoreGetsTheRotation(
      Supplier<StoreFixture> fixture) throws Exception {
    WarehouseNode node = open(fixture);
    put(node, "db");
    long from = start(node, OWNER);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<ChangePage>> held = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        held.add(
            CompletableFuture.supplyAsync(
                () -> poll(node, OWNER, from, Duration.ofSeconds(60)), pool));
      }
      await().during(Duration.ofMillis(700)).until(() -> held.stream().noneMatch(f -> f.isDone()));
      rotate(node, "db", "two");
      for (CompletableFuture<ChangePage> f : held) {
        assertThat(f.get(20, TimeUnit.SECONDS).changes())
            .extracting(Change::action)
            .containsExactly("rotate");
      }
    }
  }

  @Test
  void aPollHeldOnOneNodeSeesARotationThroughAnotherSharingPostgresql() throws Exception {
    WarehouseNode a = open(StoreFixture::postgresql);
    WarehouseNode b = open(StoreFixture::postgresql);
    put(a, "shared");
    long from = start(b, OWNER);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<ChangePage> held =
          CompletableFuture.supplyAsync(() -> poll(b, OWNER, from, Duration.ofSeconds(60)), pool);
      await().during(Duration.ofMillis(300)).until(() -> !held.isDone());
      long rotated = System.nanoTime();
      rotate(a, "shared", "two");
      ChangePage page = held.get(20, TimeUnit.SECONDS);
      System.out.printf(
          "ChangeFeedIT: rotation on node A seen by node B's held poll after %d ms%n",
          (System.nanoTime() - rotated) / 1_000_000);
      assertThat(page.changes()).extracting(Change::action).containsExactly("rotate");
    }
  }
}
