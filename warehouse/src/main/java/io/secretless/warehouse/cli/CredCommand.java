package io.secretless.warehouse.cli;

import static io.secretless.warehouse.cli.ApiClient.encode;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code secretless cred put|get|list|rotate|delete|grant|revoke|expiring}. */
@Command(
    name = "cred",
    description = "Store, read, rotate, share and delete credentials in the warehouse.",
    mixinStandardHelpOptions = true,
    subcommands = {
      CredCommand.Put.class,
      CredCommand.Get.class,
      CredCommand.ListCreds.class,
      CredCommand.Rotate.class,
      CredCommand.Delete.class,
      CredCommand.GrantCmd.class,
      CredCommand.Revoke.class,
      CredCommand.ExpiringCmd.class
    })
public final class CredCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** Parses {@code key=value}; {@code key=@file} reads the value from a file. */
  static Map<String, String> fields(List<String> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CliException(
            "--field takes key=value (or key=@file), got '" + pair.split("=")[0] + "...'");
      }
      String value = pair.substring(eq + 1);
      if (value.startsWith("@")) {
        try {
          value = Files.readString(Path.of(value.substring(1)), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new CliException("cannot read " + value.substring(1) + ": " + e.getMessage());
        }
      }
      out.put(pair.substring(0, eq), value);
    }
    return out;
  }

  static void printMeta(java.io.PrintWriter out, JsonNode c) {
    out.printf(
        "%-28s %-22s v%-3d owner=%-12s tags=%s expires=%s%n",
        c.path("name").asText(),
        c.path("type").isNull() ? "-" : c.path("type").asText(),
        c.path("version").asInt(),
        c.path("owner").asText(),
        c.path("tags").toString(),
        c.path("expires_at").isNull() ? "-" : c.path("expires_at").asText());
  }

  @Command(name = "put", description = "Store a new credential.")
  static final class Put extends ApiCommand {
    @Parameters(index = "0", description = "Credential name (unique).")
    String name;

    @Option(names = "--type", description = "Credential type, e.g. database_connection.")
    String type;

    @Option(
        names = {"-f", "--field"},
        required = true,
        description = "key=value or key=@file; repeat.")
    List<String> fields = new ArrayList<>();

    @Option(names = "--tag", description = "Tag; repeat.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--expires-in-days", description = "Expire after this many days.")
    Integer expiresInDays;

    @Option(names = "--rotation-days", description = "Rotation interval in days (default by type).")
    Integer rotationDays;

    @Override
    int run(ApiClient api) {
      var body = new LinkedHashMap<String, Object>();
      body.put("name", name);
      if (type != null) {
        body.put("type", type);
      }
      body.put("data", fields(fields));
      body.put("tags", tags);
      if (expiresInDays != null) {
        body.put("expires_in_days", expiresInDays);
      }
      if (rotationDays != null) {
        body.put("rotation_interval_days", rotationDays);
      }
      JsonNode c = api.post("/v1/credentials", body);
      out()
          .println(
              "stored "
                  + c.path("name").asText()
                  + " (id "
                  + c.path("id").asText()
                  + ", version 1)");
      return 0;
    }
  }

  @Command(
      name = "get",
      description =
          "Print a credential's secret: the value of a single-field credential, else key=value lines.")
  static final class Get extends ApiCommand {
    @Parameters(index = "0", description = "Credential name or id.")
    String ref;

    @Option(names = "--field", description = "Print only this field's value.")
    String field;

    @Option(names = "--json", description = "Print metadata and data as JSON.")
    boolean json;

    @Override
    int run(ApiClient api) {
      if (json || field != null) {
        JsonNode c = api.get("/v1/credentials/" + encode(ref));
        if (json) {
          out().println(c.toPrettyString());
          return 0;
        }
        JsonNode v = c.path("data").get(field);
        if (v == null) {
          throw new CliException("credential " + ref + " has no field " + field);
        }
        out().println(v.asText());
        return 0;
      }
      JsonNode s = api.get("/v1/credentials/" + encode(ref) + "/secret");
      if (s.has("value")) {
        out().println(s.path("value").asText());
      } else {
        s.path("data")
            .fields()
            .forEachRemaining(e -> out().println(e.getKey() + "=" + e.getValue().asText()));
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List credentials you may read (metadata only).")
  static final class ListCreds extends ApiCommand {
    @Option(
        names = "--tag",
        description = "Only credentials with this tag; repeat for all of several.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--type", description = "Only credentials of this type.")
    String type;

    @Override
    int run(ApiClient api) {
      var query = new StringBuilder("?");
      tags.forEach(t -> query.append("tag=").append(encode(t)).append('&'));
      if (type != null) {
        query.append("type=").append(encode(type));
      }
      JsonNode r = api.get("/v1/credentials" + query);
      r.path("credentials").forEach(c -> printMeta(out(), c));
      return 0;
    }
  }

  @Command(name = "rotate", description = "Store new data as the next version.")
  static final class Rotate extends ApiCommand {
    @Parameters(index = "0")
    String ref;

    @Option(
        names = {"-f", "--field"},
        required = true,
        description = "key=value or key=@file; repeat.")
    List<String> fields = new ArrayList<>();

    @Option(
        names = "--expected-version",
        description = "Refuse unless this is the current version.")
    Integer expectedVersion;

    @Override
    int run(ApiClient api) {
      var body = new LinkedHashMap<String, Object>();
      body.put("data", fields(fields));
      if (expectedVersion != null) {
        body.put("expected_version", expectedVersion);
      }
      JsonNode c = api.post("/v1/credentials/" + encode(ref) + "/rotate", body);
      out()
          .println(
              "rotated " + c.path("name").asText() + " to version " + c.path("version").asInt());
      return 0;
    }
  }

  @Command(
      name = "delete",
      description = "Delete a credential and destroy all its versions (owner or admin).")
  static final class Delete extends ApiCommand {
    @Parameters(index = "0")
    String ref;

    @Override
    int run(ApiClient api) {
      api.delete("/v1/credentials/" + encode(ref));
      out().println("deleted " + ref);
      return 0;
    }
  }

  static final class Grantee {
    @Option(names = "--agent", required = true)
    String agent;

    @Option(names = "--role", required = true)
    String role;

    String value() {
      return agent != null ? "agent:" + agent : "role:" + role;
    }
  }

  @Command(
      name = "grant",
      description = "Let an agent or role read (and optionally rotate) a credential.")
  static final class GrantCmd extends ApiCommand {
    @Parameters(index = "0")
    String ref;

    @ArgGroup(multiplicity = "1")
    Grantee grantee;

    @Option(names = "--permission", split = ",", description = "read, rotate (default read).")
    List<String> permissions = new ArrayList<>(List.of("read"));

    @Override
    int run(ApiClient api) {
      JsonNode g =
          api.post(
              "/v1/credentials/" + encode(ref) + "/grants",
              Map.of("grantee", grantee.value(), "permissions", permissions));
      out()
          .println(
              "granted "
                  + g.path("permissions")
                  + " on "
                  + ref
                  + " to "
                  + g.path("grantee").asText());
      return 0;
    }
  }

  @Command(name = "revoke", description = "Remove an agent's or role's grant.")
  static final class Revoke extends ApiCommand {
    @Parameters(index = "0")
    String ref;

    @ArgGroup(multiplicity = "1")
    Grantee grantee;

    @Override
    int run(ApiClient api) {
      api.delete("/v1/credentials/" + encode(ref) + "/grants/" + encode(grantee.value()));
      out().println("revoked " + grantee.value() + " on " + ref);
      return 0;
    }
  }

  @Command(
      name = "expiring",
      description = "Credentials expiring or due for rotation within N days.")
  static final class ExpiringCmd extends ApiCommand {
    @Option(names = "--days", description = "Window in days (default 30).")
    int days = 30;

    @Override
    int run(ApiClient api) {
      JsonNode r = api.get("/v1/expiring?days=" + days);
      r.path("credentials")
          .forEach(
              c ->
                  out()
                      .printf(
                          "%-28s %-13s %s%n",
                          c.path("name").asText(),
                          c.path("reason").asText(),
                          c.path("due_at").asText()));
      return 0;
    }
  }
}
