package io.secretless.credentials;

import io.secretless.core.Secret;
import java.util.Optional;

/**
 * A source of credential values, named in secretless.yml as {@code from:} (v2) or {@code provider:}
 * (v1). Implementations are found with {@link java.util.ServiceLoader}, and {@link #get} must be
 * safe to call from many threads.
 *
 * <p>Where {@link #get} runs depends on {@link #blocks()}: a provider that may block (the default)
 * is only ever called on a virtual thread; one that declares it never blocks may also be called on
 * an event loop, which serves many other connections meanwhile.
 */
public interface CredentialProvider {
  /** The name used in config, e.g. {@code env}. */
  String name();

  /**
   * The value for {@code id}.
   *
   * @throws CredentialException with a message that names the id (ids are not secret) and the
   *     cause, never a value
   */
  Secret get(String id);

  /**
   * Whether {@link #get} may wait: on I/O (files, network, a vault), on a lock held across I/O, or
   * for longer than a few microseconds of CPU. True unless the provider overrides it, which is the
   * safe answer for providers written elsewhere. Answer false only when {@code get} provably never
   * waits: it is then called on the event loop.
   */
  default boolean blocks() {
    return true;
  }

  /**
   * Checks the provider's own settings (environment variables, files it needs before any fetch),
   * once, when the broker starts with a service that uses it: a mistake then stops the start
   * instead of failing every connection. Never fetches a value or contacts a store, which may be
   * down while the broker starts. The default has nothing to check.
   *
   * @throws CredentialException naming the setting and what is wrong, never a secret
   */
  default void checkSettings() {}

  /**
   * The value for {@code id} if the provider has it at hand without waiting, else empty; called on
   * an event loop, so it must never block. The default answers for providers that never {@link
   * #blocks() block} and is empty for the others; a caching provider answers with a fresh cached
   * copy.
   *
   * @throws CredentialException as {@link #get} does
   */
  default Optional<Secret> getWithoutBlocking(String id) {
    return blocks() ? Optional.empty() : Optional.of(get(id));
  }

  /**
   * A backend refused the value this provider gave for {@code id}: drop any copy of it the provider
   * keeps, so that the next {@link #get} fetches it anew. Answers whether the provider caches
   * values: then a fetch now may bring a value the cache had not seen yet (a rotation), and the
   * caller may retry once with it. The default caches nothing, so every get already fetches and a
   * retry would only repeat the refusal.
   */
  default boolean invalidate(String id) {
    return false;
  }

  /**
   * What the provider's value cache did so far, read now; empty when the provider caches no values
   * (the default). Read by the broker's {@code /metrics}, so it must be cheap and never block. A
   * provider that creates its cache at {@link #checkSettings} answers from then on.
   */
  default Optional<CacheStats> cacheStats() {
    return Optional.empty();
  }
}
