package io.secretless.warehouse;

import io.secretless.warehouse.cli.WarehouseCommand;
import picocli.CommandLine;

/**
 * Stand-alone entry point with the {@code warehouse} command tree ({@code init}, {@code serve},
 * ...), for running a warehouse JVM without the full {@code secretless} CLI (tests, benchmarks).
 */
public final class WarehouseMain {
  private WarehouseMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new WarehouseCommand()).execute(args));
  }
}
