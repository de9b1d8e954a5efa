package io.secretless.warehouse;

import io.secretless.warehouse.crypto.MasterKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh warehouse node per test: a new master key file and SQLite store in a temp directory. */
abstract class SqliteWarehouseTest {
  @TempDir Path dir;
  WarehouseNode node;
  Warehouse wh;
  final Caller owner = new Caller("devops", Set.of(), "127.0.0.1", "test");

  /** Stores an untyped credential {@code name} of one field, as {@link #owner}. */
  Credential store(String name, String password) {
    return wh.store(
        owner,
        new NewCredential(
            name,
            Optional.empty(),
            Map.of("password", password),
            List.of(),
            Optional.empty(),
            Optional.empty()));
  }

  Credential store(String name) {
    return store(name, "pw");
  }

  @BeforeEach
  void open() {
    MasterKey.createKeyFile(dir.resolve("master.key"));
    node = WarehouseNode.open(WarehouseConfig.defaults(dir), "http://127.0.0.1:8200");
    wh = node.warehouse();
  }

  @AfterEach
  void close() {
    node.close();
  }
}
