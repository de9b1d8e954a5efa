package io.secretless.config;

import io.secretless.core.Secret;

/** Where one credential comes from: a literal value in the file, or a provider and an id. */
public sealed interface CredentialRef {
  /** The position of the value in the config file, for errors. */
  Position position();

  /** A value written in the config file itself (provider {@code literal}). */
  record Literal(Secret value, Position position) implements CredentialRef {}

  /** {@code {from: env, get: DB_PASSWORD}} or v1's {@code provider:}/{@code id:}. */
  record FromProvider(String provider, String id, Position position) implements CredentialRef {}
}
