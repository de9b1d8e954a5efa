package io.secretless.credentials;

import io.secretless.config.CredentialRef;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Resolves a service's credentials through the providers, checking {@code credentialValidations}.
 * Every failure is a {@link CredentialException} naming the service, the credential and the
 * provider, never the value.
 *
 * <p>Where to call {@link #resolve}: on a virtual thread, unless {@link #blocks} says the service's
 * credentials resolve without blocking; then the event loop may call it directly, which saves the
 * two thread hand-overs of a connection's setup.
 */
public final class CredentialResolver {
  private final Map<String, CredentialProvider> providers;

  public CredentialResolver(List<CredentialProvider> providers) {
    this.providers =
        providers.stream()
            .collect(Collectors.toUnmodifiableMap(CredentialProvider::name, Function.identity()));
  }

  /** Every provider on the class path. */
  public static CredentialResolver discover() {
    return new CredentialResolver(
        ServiceLoader.load(CredentialProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .toList());
  }

  public boolean knows(String provider) {
    return provider.equals("literal") || providers.containsKey(provider);
  }

  /**
   * Whether resolving the service's credentials may block: true when one of them comes from a
   * provider that {@linkplain CredentialProvider#blocks() blocks}. Literal values never do, nor
   * does a provider name no provider answers to (it fails at once). The {@code
   * credentialValidations} patterns are matched on the calling thread either way: CPU only.
   */
  public boolean blocks(ServiceConfig service) {
    for (CredentialRef ref : service.credentials().values()) {
      if (ref instanceof CredentialRef.FromProvider from) {
        CredentialProvider provider = providers.get(from.provider());
        if (provider != null && provider.blocks()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A backend refused the service's credentials: drops the cached copies of its provider-fetched
   * values ({@link CredentialProvider#invalidate}). True when a provider of one of them caches
   * values, so that resolving again may give newer ones (a rotation the cache had not seen): worth
   * one retry, never more.
   */
  public boolean invalidate(ServiceConfig service) {
    boolean cached = false;
    for (CredentialRef ref : service.credentials().values()) {
      if (ref instanceof CredentialRef.FromProvider from) {
        CredentialProvider provider = providers.get(from.provider());
        cached |= provider != null && provider.invalidate(from.id());
      }
    }
    return cached;
  }

  /** The service's credentials; blocks where {@link #blocks} says so. */
  public Credentials resolve(ServiceConfig service) {
    Map<String, Secret> values = new LinkedHashMap<>();
    try {
      service.credentials().forEach((name, ref) -> values.put(name, fetch(service, name, ref)));
    } catch (RuntimeException e) {
      values.values().forEach(Secret::destroy);
      throw e;
    }
    return new Credentials(service.name(), values);
  }

  private Secret fetch(ServiceConfig service, String name, CredentialRef ref) {
    Secret value =
        switch (ref) {
          case CredentialRef.Literal literal -> Secret.of(literal.value().reveal());
          case CredentialRef.FromProvider from -> fromProvider(service, name, from);
        };
    Pattern pattern = service.credentialValidations().get(name);
    if (pattern != null && !matches(pattern, value)) {
      value.destroy();
      throw new CredentialException(
          "service "
              + service.name()
              + ": credential '"
              + name
              + "' does not match its credentialValidations pattern "
              + pattern.pattern());
    }
    return value;
  }

  private Secret fromProvider(ServiceConfig service, String name, CredentialRef.FromProvider from) {
    CredentialProvider provider = providers.get(from.provider());
    String where =
        "service " + service.name() + ": credential '" + name + "' from " + from.provider();
    if (provider == null) {
      throw new CredentialException(where + ": no such credential provider");
    }
    try {
      return provider.get(from.id());
    } catch (CredentialException e) {
      throw new CredentialException(where + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CredentialException(
          where + ": provider failed (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static boolean matches(Pattern pattern, Secret value) {
    char[] chars = value.revealChars();
    try {
      return pattern.matcher(java.nio.CharBuffer.wrap(chars)).matches();
    } finally {
      java.util.Arrays.fill(chars, '\0');
    }
  }
}
