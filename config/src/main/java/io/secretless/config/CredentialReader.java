package io.secretless.config;

import io.secretless.core.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads credential references: a literal scalar, {@code {from: PROVIDER, get: ID}} (v2) or the v1
 * {@code provider}/{@code id} pair. Literal values become {@link Secret}s at once and are never
 * quoted in a message.
 */
final class CredentialReader {
  /** The providers every build knows; others are added by the caller. */
  static final Set<String> BUILT_IN_PROVIDERS = Set.of("literal", "env", "file", "warehouse");

  private static final List<String> REF_KEYS = List.of("from", "get");

  private final Diagnostics diagnostics;
  private final List<String> providers;

  CredentialReader(Diagnostics diagnostics, Set<String> extraProviders) {
    this.diagnostics = diagnostics;
    Set<String> all = new TreeSet<>(BUILT_IN_PROVIDERS);
    all.addAll(extraProviders);
    this.providers = List.copyOf(all);
  }

  /** The credential names written under {@code credentials:}, whether or not they are valid. */
  static Set<String> names(Section service) {
    return service
        .mappingValue("credentials")
        .map(m -> m.entries().stream().map(YamlValue.Entry::key).collect(Collectors.toSet()))
        .orElse(Set.of());
  }

  /** The {@code credentials:} mapping of a v2 service, in file order. */
  Map<String, CredentialRef> readAll(Section service, String serviceName) {
    Map<String, CredentialRef> out = new LinkedHashMap<>();
    Optional<YamlValue.Mapping> credentials = service.mappingValue("credentials");
    if (credentials.isEmpty()) {
      return out;
    }
    for (YamlValue.Entry entry : credentials.get().entries()) {
      String what = "credential '" + entry.key() + "' of service " + serviceName;
      read(entry.value(), what, entry.keyPosition()).ifPresent(ref -> out.put(entry.key(), ref));
    }
    return out;
  }

  /**
   * One reference: a literal scalar or {@code {from, get}}.
   *
   * @param what the credential, for messages ("credential 'password' of service db")
   */
  Optional<CredentialRef> read(YamlValue value, String what, Position keyPosition) {
    return switch (value) {
      case YamlValue.Scalar s when s.isNull() -> {
        diagnostics.error(keyPosition, what + " has no value");
        yield Optional.empty();
      }
      case YamlValue.Scalar s ->
          Optional.of(new CredentialRef.Literal(Secret.of(s.value()), s.position()));
      case YamlValue.Mapping m -> fromProvider(new Section(m, what, keyPosition, diagnostics));
      case YamlValue.Sequence q -> {
        diagnostics.error(
            q.position(), what + " must be a value or {from: PROVIDER, get: ID}, not a list");
        yield Optional.empty();
      }
    };
  }

  private Optional<CredentialRef> fromProvider(Section ref) {
    ref.allowOnly(REF_KEYS);
    Optional<YamlValue.Scalar> from = ref.requiredScalar("from");
    Optional<YamlValue.Scalar> get = ref.requiredScalar("get");
    if (from.isEmpty() || get.isEmpty()) {
      return Optional.empty();
    }
    return reference(from.get(), get.get().value(), ref.mapping().position());
  }

  /** {@code provider} with {@code id}; {@code literal} makes the id itself the value. */
  Optional<CredentialRef> reference(YamlValue.Scalar provider, String id, Position position) {
    String name = provider.value();
    if (name.equals("literal")) {
      return Optional.of(new CredentialRef.Literal(Secret.of(id), position));
    }
    if (!providers.contains(name)) {
      diagnostics.error(
          provider.position(),
          DidYouMean.unknownName("credential provider", provider.shown(), providers));
      return Optional.empty();
    }
    return Optional.of(new CredentialRef.FromProvider(name, id, position));
  }
}
