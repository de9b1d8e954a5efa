package io.secretless.warehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretless.warehouse.WarehouseConfig.SqliteSync;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerOptionsTest {
  private static ServerOptions parse(String... args) {
    var options = new ServerOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  @Test
  void sqliteSynchronousIsFullUnlessNormalIsAskedFor() {
    assertThat(parse().config().sqliteSync()).isEqualTo(SqliteSync.FULL);
    assertThat(parse("--sqlite-synchronous", "normal").config().sqliteSync())
        .isEqualTo(SqliteSync.NORMAL);
    assertThatThrownBy(() -> parse("--sqlite-synchronous", "off").config())
        .isInstanceOf(CliException.class)
        .hasMessageContaining("FULL or NORMAL");
  }

  @Test
  void maxConnectionsIs1024UnlessGivenAndMustBePositive() {
    assertThat(parse().config().maxConnections()).isEqualTo(1024);
    assertThat(parse("--max-connections", "50").config().maxConnections()).isEqualTo(50);
    assertThatThrownBy(() -> parse("--max-connections", "0").config())
        .isInstanceOf(CliException.class)
        .hasMessageContaining("--max-connections must be at least 1");
  }
}
