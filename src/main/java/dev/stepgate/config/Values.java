package dev.stepgate.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/** Parsers for the value kinds config files use: durations, sizes, booleans, enums. */
public final class Values {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(|B|KiB|MiB|GiB|k|K|KB|M|MB|G|GB)");

  private Values() {}

  /** {@code 30s}, {@code 5m}, {@code 12h}, {@code 7d}, {@code 250ms}; never negative. */
  public static Duration duration(String text) {
    var m = DURATION.matcher(text.trim());
    if (!m.matches())
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (use a whole number and a unit: 250ms, 30s, 5m, 12h, 7d)");
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** {@code 65536}, {@code 64KiB}, {@code 1MiB}, {@code 2GiB} (k/M/G are binary too). */
  public static long size(String text) {
    var m = SIZE.matcher(text.trim());
    if (!m.matches())
      throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 65536, 64KiB, 1MiB)");
    long n = Long.parseLong(m.group(1));
    long unit =
        switch (m.group(2)) {
          case "", "B" -> 1;
          case "KiB", "k", "K", "KB" -> 1024;
          case "MiB", "M", "MB" -> 1024 * 1024;
          default -> 1024L * 1024 * 1024;
        };
    return Math.multiplyExact(n, unit);
  }

  public static boolean bool(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
    };
  }

  /** An enum constant named in lower case with {@code -} or {@code _}, e.g. {@code on_step_up}. */
  public static <E extends Enum<E>> E choice(String text, Class<E> type) {
    var wanted = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
    for (var c : type.getEnumConstants()) if (c.name().equals(wanted)) return c;
    var names = new StringBuilder();
    for (var c : type.getEnumConstants()) {
      if (names.length() > 0) names.append(" | ");
      names.append(c.name().toLowerCase(Locale.ROOT));
    }
    throw new IllegalArgumentException("'" + text + "' is not one of " + names);
  }

  /** {@code host:port}; {@code :8080} and {@code 8080} mean all interfaces. */
  public static GatewayConfig.HostPort hostPort(String text) {
    var t = text.trim();
    int colon = t.lastIndexOf(':');
    String host = colon < 0 ? "0.0.0.0" : t.substring(0, colon);
    String port = colon < 0 ? t : t.substring(colon + 1);
    if (host.isEmpty()) host = "0.0.0.0";
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    if (p < 0 || p > 65535) throw new IllegalArgumentException("port " + p + " is out of range");
    return new GatewayConfig.HostPort(host, p);
  }
}
