package io.secretless.warehouse.cli;

import java.util.List;

/**
 * The warehouse's top-level CLI commands for the {@code secretless} main: {@code warehouse}, {@code
 * cred}, {@code audit}, {@code agent}. Each returns 0 (ok), 1 (operation failed, one-line error on
 * stderr) or 2 (usage error).
 */
public final class WarehouseCli {
  private WarehouseCli() {}

  /** Fresh picocli command objects, to be added with {@code CommandLine.addSubcommand}. */
  public static List<Object> commands() {
    return List.of(
        new WarehouseCommand(), new CredCommand(), new AuditCommand(), new AgentCommand());
  }
}
