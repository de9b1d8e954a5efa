package io.secretless.warehouse.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretless.warehouse.WarehouseException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A parsed JSON request object with typed, validating accessors (every problem is a 400). */
final class RequestBody {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode root;

  private RequestBody(JsonNode root) {
    this.root = root;
  }

  static RequestBody parse(String body) {
    if (body == null || body.isBlank()) {
      throw WarehouseException.badRequest("request body must be a JSON object");
    }
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw WarehouseException.badRequest("request body must be a JSON object");
      }
      return new RequestBody(node);
    } catch (JsonEOFException e) {
      throw WarehouseException.badRequest("request body is not valid JSON: it ends too early");
    } catch (JsonProcessingException e) {
      // Only where: Jackson's own message quotes the offending token, which may be a secret.
      JsonLocation at = e.getLocation();
      throw WarehouseException.badRequest(
          at == null
              ? "request body is not valid JSON"
              : "request body is not valid JSON at line "
                  + at.getLineNr()
                  + ", column "
                  + at.getColumnNr());
    } catch (IOException e) {
      throw WarehouseException.badRequest("request body could not be read");
    }
  }

  Optional<String> text(String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      throw WarehouseException.badRequest("field " + field + " must be a string");
    }
    return Optional.of(n.asText());
  }

  String requiredText(String field) {
    return text(field)
        .orElseThrow(() -> WarehouseException.badRequest("field " + field + " is required"));
  }

  Optional<Integer> integer(String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw WarehouseException.badRequest("field " + field + " must be an integer");
    }
    return Optional.of(n.asInt());
  }

  List<String> strings(String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw WarehouseException.badRequest("field " + field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw WarehouseException.badRequest("field " + field + " must be an array of strings");
      }
      out.add(e.asText());
    }
    return out;
  }

  /** A flat object of string values (numbers and booleans are taken as their text). */
  Map<String, String> fields(String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isObject()) {
      throw WarehouseException.badRequest("field " + field + " must be an object of string values");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var it = n.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw WarehouseException.badRequest(field + "." + e.getKey() + " must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** {@code expires_at} (ISO-8601 instant) or {@code expires_in_days}. */
  Optional<Instant> expiry(Instant now) {
    Optional<String> at = text("expires_at");
    Optional<Integer> days = integer("expires_in_days");
    if (at.isPresent() && days.isPresent()) {
      throw WarehouseException.badRequest("give expires_at or expires_in_days, not both");
    }
    if (days.isPresent()) {
      return Optional.of(now.plusSeconds(86_400L * days.get()));
    }
    try {
      return at.map(Instant::parse);
    } catch (DateTimeParseException e) {
      throw WarehouseException.badRequest(
          "expires_at must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
    }
  }
}
