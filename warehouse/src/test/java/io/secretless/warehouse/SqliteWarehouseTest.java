package io.secretless.warehouse;

import io.secretless.warehouse.crypto.MasterKey;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh warehouse node per test: a new master key file and SQLite store in a temp directory. */
abstract class SqliteWarehouseTest {
  @TempDir Path dir;
  WarehouseNode node;
  Warehouse wh;

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
