package io.secretless.warehouse.cli;

import io.secretless.core.SecretlessException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Template for commands that call the API: exit 0 on success, 1 with a one-line error (never a
 * stack trace) when the call fails. Usage errors are picocli's (exit 2).
 */
abstract class ApiCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  /** Does the work; returns the exit code. */
  abstract int run(ApiClient api);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Override
  public Integer call() {
    try {
      int code = run(client.client());
      out().flush();
      return code;
    } catch (SecretlessException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
  }
}
