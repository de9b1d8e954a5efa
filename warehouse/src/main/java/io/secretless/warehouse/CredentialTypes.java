package io.secretless.warehouse;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The built-in credential types plus any declared in the warehouse configuration. */
public final class CredentialTypes {
  /** Rotation interval of a credential without a type. */
  public static final Duration UNTYPED_ROTATION = Duration.ofDays(90);

  private static final List<CredentialType> BUILT_IN =
      List.of(
          CredentialType.of(
              "digital_ocean_api", List.of("api_token"), 90, List.of("cloud", "infrastructure")),
          CredentialType.of(
              "github_deploy_token",
              List.of("token", "repository"),
              180,
              List.of("code", "deployment")),
          CredentialType.of(
              "domain_registrar", List.of("api_key", "api_secret"), 365, List.of("dns", "domain")),
          CredentialType.of(
              "email_service_api",
              List.of("api_key", "sender_domain"),
              90,
              List.of("email", "communication")),
          CredentialType.of(
              "database_connection",
              List.of("host", "username", "password", "database"),
              30,
              List.of("database", "storage")),
          CredentialType.of(
              "payment_processor",
              List.of("public_key", "private_key", "webhook_secret"),
              60,
              List.of("payment", "financial")),
          CredentialType.of(
              "social_media_api",
              List.of("access_token", "refresh_token", "platform"),
              30,
              List.of("social", "marketing")));

  private final Map<String, CredentialType> types = new LinkedHashMap<>();

  private CredentialTypes(List<CredentialType> extra) {
    BUILT_IN.forEach(t -> types.put(t.name(), t));
    extra.forEach(t -> types.put(t.name(), t));
  }

  public static CredentialTypes builtIn() {
    return new CredentialTypes(List.of());
  }

  /** The built-in types plus {@code extra}; an extra type replaces a built-in one of its name. */
  public static CredentialTypes withExtra(List<CredentialType> extra) {
    return new CredentialTypes(extra);
  }

  public Optional<CredentialType> find(String name) {
    return Optional.ofNullable(types.get(name));
  }

  public Collection<CredentialType> all() {
    return List.copyOf(types.values());
  }

  /**
   * Checks that {@code fields} holds every required field of {@code typeName}.
   *
   * @throws WarehouseException MISSING_FIELDS naming the missing fields, or BAD_REQUEST for an
   *     unknown type
   */
  public CredentialType validate(String typeName, Collection<String> fields) {
    CredentialType type =
        find(typeName)
            .orElseThrow(
                () ->
                    WarehouseException.badRequest(
                        "unknown credential type '"
                            + typeName
                            + "'; known types: "
                            + types.keySet()));
    List<String> missing = type.requiredFields().stream().filter(f -> !fields.contains(f)).toList();
    if (!missing.isEmpty()) {
      throw new WarehouseException(
          WarehouseException.ErrorCode.MISSING_FIELDS,
          "credential type " + typeName + " requires fields " + missing + " which are missing");
    }
    return type;
  }
}
