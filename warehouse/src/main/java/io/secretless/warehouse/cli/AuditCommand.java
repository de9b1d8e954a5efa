package io.secretless.warehouse.cli;

import static io.secretless.warehouse.cli.ApiClient.encode;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code secretless audit tail|verify}. */
@Command(
    name = "audit",
    description = "Read and verify the warehouse's hash-chained audit log.",
    mixinStandardHelpOptions = true,
    subcommands = {AuditCommand.Tail.class, AuditCommand.Verify.class})
public final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(
      name = "tail",
      description = "Print the newest audit records (filter by credential, agent, time).")
  static final class Tail extends ApiCommand {
    @Option(names = "--credential", description = "Credential id.")
    String credential;

    @Option(names = "--agent")
    String agent;

    @Option(names = "--since", description = "ISO-8601 instant.")
    String since;

    @Option(names = "--until", description = "ISO-8601 instant.")
    String until;

    @Option(names = {"-n", "--limit"})
    int limit = 20;

    @Override
    int run(ApiClient api) {
      var q = new StringBuilder("/v1/audit?limit=" + limit);
      if (credential != null) q.append("&credential=").append(encode(credential));
      if (agent != null) q.append("&agent=").append(encode(agent));
      if (since != null) q.append("&since=").append(encode(since));
      if (until != null) q.append("&until=").append(encode(until));
      for (JsonNode r : api.get(q.toString()).path("records")) {
        out()
            .printf(
                "%6d %s %-10s %-12s %-36s %-15s %s%n",
                r.path("seq").asLong(),
                r.path("time").asText(),
                r.path("agent").asText(),
                r.path("action").asText(),
                r.path("credential_id").asText(),
                r.path("outcome").asText(),
                r.path("reason").asText());
      }
      return 0;
    }
  }

  @Command(
      name = "verify",
      description = "Check the whole hash chain; exit 1 naming the first broken record.")
  static final class Verify extends ApiCommand {
    @Override
    int run(ApiClient api) {
      JsonNode v = api.get("/v1/audit/verify");
      if (v.path("valid").asBoolean()) {
        out().println("audit chain valid: " + v.path("records").asLong() + " records");
        return 0;
      }
      spec.commandLine()
          .getErr()
          .println(
              "audit chain BROKEN at record "
                  + v.path("first_broken_seq").asLong()
                  + ": "
                  + v.path("problem").asText());
      spec.commandLine().getErr().flush();
      return 1;
    }
  }
}
