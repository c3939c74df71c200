package dev.stepgate.admission;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The browser origins the gateway serves: {@code public_url}'s and {@code webauthn.origins} (as
 * the config normalised them: lower-case host, no default port).
 */
public final class ServedOrigins {
  private final Set<String> origins;

  public ServedOrigins(Collection<String> origins) {
    this.origins = Set.copyOf(origins);
  }

  /**
   * True when the request's {@code Origin} header values (RFC 6454 §7) name exactly one origin
   * and it is served here. {@code null}, several values or {@code Origin: null} are not.
   */
  public boolean includes(List<String> originHeaders) {
    if (originHeaders.size() != 1) return false;
    return origins.contains(normalise(originHeaders.get(0)));
  }

  /** Lower case (scheme and host are case-insensitive), without the scheme's default port. */
  static String normalise(String origin) {
    var o = origin.trim().toLowerCase(Locale.ROOT);
    if (o.startsWith("http://") && o.endsWith(":80")) return o.substring(0, o.length() - 3);
    if (o.startsWith("https://") && o.endsWith(":443")) return o.substring(0, o.length() - 4);
    return o;
  }
}
