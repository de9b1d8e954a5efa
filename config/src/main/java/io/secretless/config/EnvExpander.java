package io.secretless.config;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} in a scalar from the environment map; {@code $$} is a literal {@code $}
 * and a {@code $} followed by anything else is kept as is (regular expressions end with {@code $}).
 * Messages name the variable, never its value.
 */
final class EnvExpander {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Map<String, String> env;

  EnvExpander(Map<String, String> env) {
    this.env = env;
  }

  /** The expansion of {@code raw}; every problem goes to {@code errors}. */
  Expansion expand(String raw, Consumer<String> errors) {
    if (raw.indexOf('$') < 0) {
      return new Expansion(raw, false);
    }
    StringBuilder out = new StringBuilder(raw.length());
    boolean substituted = false;
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c != '$' || i + 1 >= raw.length()) {
        out.append(c);
        i++;
      } else if (raw.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (raw.charAt(i + 1) == '{') {
        int end = raw.indexOf('}', i + 2);
        if (end < 0) {
          errors.accept("unterminated '${' (write $$ for a literal $)");
          out.append(raw, i, raw.length());
          break;
        }
        String name = raw.substring(i + 2, end);
        String value = NAME.matcher(name).matches() ? env.get(name) : null;
        if (!NAME.matcher(name).matches()) {
          errors.accept(
              "'${"
                  + name
                  + "}' is not a valid environment variable reference"
                  + " (write $$ for a literal $)");
        } else if (value == null) {
          errors.accept("environment variable " + name + " is not set");
        } else {
          out.append(value);
          substituted = true;
        }
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return new Expansion(out.toString(), substituted);
  }

  record Expansion(String value, boolean substituted) {}
}
