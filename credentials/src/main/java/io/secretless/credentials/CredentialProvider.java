package io.secretless.credentials;

import io.secretless.core.Secret;

/**
 * A source of credential values, named in secretless.yml as {@code from:} (v2) or {@code provider:}
 * (v1). Implementations are found with {@link java.util.ServiceLoader}; {@link #get} may block (it
 * is never called on an event loop) and must be safe to call from many threads.
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
}
