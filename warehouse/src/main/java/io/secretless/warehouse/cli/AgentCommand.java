package io.secretless.warehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code secretless agent create|list}. */
@Command(
    name = "agent",
    description = "Register agents (OAuth2 clients of the warehouse).",
    mixinStandardHelpOptions = true,
    subcommands = {AgentCommand.Create.class, AgentCommand.ListAgents.class})
public final class AgentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(name = "create", description = "Register an agent; prints its client secret once.")
  static final class Create extends ApiCommand {
    @Parameters(index = "0", description = "Agent name (its client id and token subject).")
    String name;

    @Option(names = "--role", description = "Role, e.g. admin; repeat.")
    List<String> roles = new ArrayList<>();

    @Override
    int run(ApiClient api) {
      JsonNode a = api.post("/v1/agents", Map.of("name", name, "roles", roles));
      out().println("client_id=" + a.path("client_id").asText());
      out().println("client_secret=" + a.path("client_secret").asText());
      out().println("# the secret is shown only now; the warehouse keeps only its hash");
      return 0;
    }
  }

  @Command(name = "list", description = "List agents and their roles (admin).")
  static final class ListAgents extends ApiCommand {
    @Override
    int run(ApiClient api) {
      for (JsonNode a : api.get("/v1/agents").path("agents")) {
        out()
            .printf(
                "%-24s roles=%s created=%s%n",
                a.path("id").asText(), a.path("roles"), a.path("created_at").asText());
      }
      return 0;
    }
  }
}
