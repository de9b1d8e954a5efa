package io.secretless.warehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a CLI command reaches the API: {@code --url} (or SECRETLESS_WAREHOUSE_URL, default
 * http://127.0.0.1:8200) and the agent's client credentials from {@code --client-id/
 * --client-secret}, SECRETLESS_CLIENT_ID/SECRETLESS_CLIENT_SECRET, or else the admin credentials
 * file {@code warehouse init} wrote into the data directory.
 */
final class ClientOptions {
  static final String ADMIN_FILE = "admin-client.json";

  @Option(names = "--url", description = "Warehouse API URL (env SECRETLESS_WAREHOUSE_URL).")
  String url;

  @Option(names = "--client-id", description = "Agent client id (env SECRETLESS_CLIENT_ID).")
  String clientId;

  @Option(
      names = "--client-secret",
      description = "Agent client secret (env SECRETLESS_CLIENT_SECRET; prefer the env).")
  char[] clientSecret;

  @Option(
      names = "--data-dir",
      description = "Data directory holding " + ADMIN_FILE + " (default ./.secretless).")
  Path dataDir;

  ApiClient client() {
    String base =
        first(url, System.getenv("SECRETLESS_WAREHOUSE_URL")).orElse("http://127.0.0.1:8200");
    String id = first(clientId, System.getenv("SECRETLESS_CLIENT_ID")).orElse(null);
    char[] secret = clientSecret;
    if (secret == null && System.getenv("SECRETLESS_CLIENT_SECRET") != null) {
      secret = System.getenv("SECRETLESS_CLIENT_SECRET").toCharArray();
    }
    if (id != null && secret != null) {
      return new ApiClient(base, id, secret);
    }
    if (id != null || secret != null) {
      throw new CliException("give both a client id and a client secret");
    }
    Path file = (dataDir == null ? Path.of(".secretless") : dataDir).resolve(ADMIN_FILE);
    if (!Files.isReadable(file)) {
      throw new CliException(
          "no client credentials: pass --client-id/--client-secret, set SECRETLESS_CLIENT_ID and"
              + " SECRETLESS_CLIENT_SECRET, or run `secretless warehouse init` (which writes "
              + file
              + ")");
    }
    try {
      JsonNode admin = ApiClient.JSON.readTree(Files.readAllBytes(file));
      return new ApiClient(
          base,
          admin.path("client_id").asText(),
          admin.path("client_secret").asText().toCharArray());
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static Optional<String> first(String a, String b) {
    return Optional.ofNullable(a != null ? a : b);
  }
}
