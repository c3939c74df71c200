package dev.stepgate.policy;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Policy durations: a whole number followed by s, m, h or d, e.g. {@code 30s}, {@code 12h}. */
final class Durations {
  private static final Pattern FORMAT = Pattern.compile("([0-9]{1,9})([smhd])");

  private Durations() {}

  /** The duration spelled {@code text}, or empty if it is not one. */
  static Optional<Duration> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) return Optional.empty();
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "s":
        return Optional.of(Duration.ofSeconds(n));
      case "m":
        return Optional.of(Duration.ofMinutes(n));
      case "h":
        return Optional.of(Duration.ofHours(n));
      default:
        return Optional.of(Duration.ofDays(n));
    }
  }

  /** The shortest exact spelling in s, m or h: {@code 24h}, {@code 5m}, {@code 90s}. */
  static String format(Duration d) {
    long s = d.toSeconds();
    if (s != 0 && s % 3_600 == 0) return s / 3_600 + "h";
    if (s != 0 && s % 60 == 0) return s / 60 + "m";
    return s + "s";
  }
}
