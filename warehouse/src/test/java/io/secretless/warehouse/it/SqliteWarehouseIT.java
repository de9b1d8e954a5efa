package io.secretless.warehouse.it;

/** The warehouse contract on the embedded SQLite store. */
class SqliteWarehouseIT extends WarehouseContract {
  @Override
  StoreFixture newStore() {
    return StoreFixture.sqlite();
  }
}
