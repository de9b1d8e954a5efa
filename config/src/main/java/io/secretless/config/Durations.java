package io.secretless.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in secretless.yml (and in the broker's duration-valued environment
 * variables): {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  public static final String EXPECTED = "a duration such as 500ms, 10s, 2m or 1h30m";

  private Durations() {}

  /** The duration, or empty when {@code text} is not one; a bare {@code 0} is zero. */
  public static Optional<Duration> parse(String text) {
    if (text.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
      end = m.end();
    }
    return end > 0 && end == text.length() ? Optional.of(total) : Optional.empty();
  }
}
