package io.secretless.warehouse.crypto;

import io.secretless.core.Secret;
import java.nio.file.Path;

/** Where the master key comes from; resolved at start-up (see {@link MasterKey}). */
public sealed interface MasterKeySource {
  /** A key file written by {@code warehouse init}. */
  record KeyFile(Path path) implements MasterKeySource {}

  /** A base64 key from the environment variable {@code name}. */
  record Encoded(Secret key, String name) implements MasterKeySource {}

  /** A passphrase stretched with Argon2id and the salt stored in the warehouse. */
  record Passphrase(Secret passphrase) implements MasterKeySource {}
}
