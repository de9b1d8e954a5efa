package io.secretless.warehouse.it;

/** The warehouse contract on a fresh database of the test PostgreSQL server. */
class PostgresWarehouseIT extends WarehouseContract {
  @Override
  StoreFixture newStore() {
    return StoreFixture.postgresql();
  }
}
