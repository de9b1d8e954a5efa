package io.secretless.warehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A small client of the warehouse API for the CLI: gets a token from the token endpoint with the
 * agent's client credentials (HTTP Basic), then sends JSON requests with it. API errors become
 * {@link CliException}s carrying the server's message.
 */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String clientId;
  private final char[] clientSecret;
  private String token;

  ApiClient(String base, String clientId, char[] clientSecret) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  JsonNode get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  JsonNode post(String path, Object body) {
    try {
      return send(
          HttpRequest.newBuilder(uri(path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    } catch (IOException e) {
      throw new CliException("cannot encode request: " + e.getMessage());
    }
  }

  JsonNode delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private URI uri(String path) {
    try {
      return URI.create(base + path);
    } catch (IllegalArgumentException e) {
      throw new CliException("bad warehouse URL " + base + ": " + e.getMessage());
    }
  }

  private JsonNode send(HttpRequest.Builder request) {
    request
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token())
        .header("User-Agent", "secretless-cli");
    return exchange(request.build());
  }

  private String token() {
    if (token != null) {
      return token;
    }
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (encode(clientId) + ":" + encode(new String(clientSecret)))
                    .getBytes(StandardCharsets.UTF_8));
    var request =
        HttpRequest.newBuilder(uri("/v1/oauth/token"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + basic)
            .header("User-Agent", "secretless-cli")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
            .build();
    JsonNode reply = exchange(request);
    token = reply.path("access_token").asText();
    return token;
  }

  private JsonNode exchange(HttpRequest request) {
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException e) {
      throw new CliException(
          "cannot reach the warehouse at " + base + " (is `secretless warehouse serve` running?)");
    } catch (IOException e) {
      throw new CliException("request to " + base + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    JsonNode body;
    try {
      body = response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new CliException("warehouse answered HTTP " + response.statusCode() + " with non-JSON");
    }
    if (response.statusCode() >= 400) {
      JsonNode err = body.path("error");
      String message =
          err.isObject()
              ? err.path("message").asText() + " (" + err.path("code").asText() + ")"
              : body.path("error_description").asText(err.asText("HTTP " + response.statusCode()));
      throw new CliException("warehouse refused (HTTP " + response.statusCode() + "): " + message);
    }
    return body;
  }
}
