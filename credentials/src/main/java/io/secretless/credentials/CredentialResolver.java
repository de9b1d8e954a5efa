package io.secretless.credentials;

import io.secretless.config.CredentialRef;
import io.secretless.config.ServiceConfig;
import io.secretless.core.Secret;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Resolves a service's credentials through the providers, checking {@code credentialValidations}.
 * Every failure is a {@link CredentialException} naming the service, the credential and the
 * provider, never the value.
 *
 * <p>Where to call what: {@link #resolveWithoutBlocking} on the event loop first; it answers when
 * every value is at hand, which saves the connection the two thread hand-overs to a virtual thread
 * and back. Else {@link #resolve} on a virtual thread.
 */
public final class CredentialResolver implements AutoCloseable {
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
   * {@link CredentialProvider#checkSettings} of every provider the services use, once each: at
   * start, so that a provider's bad settings stop the broker instead of failing every connection.
   *
   * @throws CredentialException naming the first service that uses the provider, and the problem
   */
  public void checkSettings(List<ServiceConfig> services) {
    Set<CredentialProvider> checked = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ServiceConfig service : services) {
      for (CredentialRef ref : service.credentials().values()) {
        if (ref instanceof CredentialRef.FromProvider from
            && providers.get(from.provider()) instanceof CredentialProvider provider
            && checked.add(provider)) {
          try {
            provider.checkSettings();
          } catch (CredentialException e) {
            throw new CredentialException(
                "service " + service.name() + ": from " + from.provider() + ": " + e.getMessage(),
                e);
          }
        }
      }
    }
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

  /**
   * The {@linkplain CredentialProvider#cacheStats cache counts} of every provider that caches
   * values now, by provider name, in name order. Call it after {@link #checkSettings}, which is
   * when a provider such as {@code warehouse} creates its cache.
   */
  public Map<String, CacheStats> cacheStats() {
    Map<String, CacheStats> stats = new TreeMap<>();
    providers.forEach((name, provider) -> provider.cacheStats().ifPresent(s -> stats.put(name, s)));
    return stats;
  }

  /**
   * The cache counts of the provider named {@code provider}, read now; empty when it caches none.
   */
  public Optional<CacheStats> cacheStats(String provider) {
    CredentialProvider p = providers.get(provider);
    return p == null ? Optional.empty() : p.cacheStats();
  }

  /** The service's credentials; may block (call it on a virtual thread). */
  public Credentials resolve(ServiceConfig service) {
    return resolve(service, false).orElseThrow();
  }

  /**
   * The service's credentials if every value is at hand without blocking: literal values, providers
   * that never {@linkplain CredentialProvider#blocks() block}, values a provider has cached ({@link
   * CredentialProvider#getWithoutBlocking}); else empty, and nothing is kept: resolve on a virtual
   * thread then. A failure throws as {@link #resolve} does. The {@code credentialValidations}
   * patterns are matched here either way: CPU only.
   */
  public Optional<Credentials> resolveWithoutBlocking(ServiceConfig service) {
    return resolve(service, true);
  }

  private Optional<Credentials> resolve(ServiceConfig service, boolean withoutBlocking) {
    Map<String, Secret> values = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, CredentialRef> ref : service.credentials().entrySet()) {
        Optional<Secret> value = fetch(service, ref.getKey(), ref.getValue(), withoutBlocking);
        if (value.isEmpty()) {
          values.values().forEach(Secret::destroy);
          return Optional.empty();
        }
        values.put(ref.getKey(), value.get());
      }
    } catch (RuntimeException e) {
      values.values().forEach(Secret::destroy);
      throw e;
    }
    return Optional.of(new Credentials(service.name(), values));
  }

  private Optional<Secret> fetch(
      ServiceConfig service, String name, CredentialRef ref, boolean withoutBlocking) {
    Optional<Secret> value =
        switch (ref) {
          case CredentialRef.Literal literal -> Optional.of(Secret.of(literal.value().reveal()));
          case CredentialRef.FromProvider from ->
              fromProvider(service, name, from, withoutBlocking);
        };
    Pattern pattern = service.credentialValidations().get(name);
    if (value.isPresent() && pattern != null && !matches(pattern, value.get())) {
      value.get().destroy();
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

  private Optional<Secret> fromProvider(
      ServiceConfig service,
      String name,
      CredentialRef.FromProvider from,
      boolean withoutBlocking) {
    CredentialProvider provider = providers.get(from.provider());
    String where =
        "service " + service.name() + ": credential '" + name + "' from " + from.provider();
    if (provider == null) {
      throw new CredentialException(where + ": no such credential provider");
    }
    try {
      return withoutBlocking
          ? provider.getWithoutBlocking(from.id())
          : Optional.of(provider.get(from.id()));
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

  /**
   * Closes the providers that hold resources (the warehouse provider's cached values, zeroed, and
   * its change feed watcher's thread); for the broker that owns this resolver, when it stops.
   */
  @Override
  public void close() {
    for (CredentialProvider provider : providers.values()) {
      if (provider instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new CredentialException(
              "closing credential provider " + provider.name() + " failed: " + e.getMessage(), e);
        }
      }
    }
  }
}
