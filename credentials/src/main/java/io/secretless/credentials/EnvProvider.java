package io.secretless.credentials;

import io.secretless.core.Secret;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code from: env}: the value of an environment variable of the broker process. The environment is
 * an immutable map read once at JVM start, so a lookup never blocks.
 */
public final class EnvProvider implements CredentialProvider {
  private final Function<String, String> env;

  public EnvProvider() {
    this(System::getenv);
  }

  EnvProvider(Map<String, String> env) {
    this(env::get);
  }

  private EnvProvider(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "env";
  }

  @Override
  public Secret get(String id) {
    String value = env.apply(id);
    if (value == null) {
      throw new CredentialException("environment variable " + id + " is not set");
    }
    return Secret.of(value);
  }

  @Override
  public boolean blocks() {
    return false;
  }
}
