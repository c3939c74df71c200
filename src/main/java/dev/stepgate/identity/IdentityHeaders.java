package dev.stepgate.identity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The request headers that carry identity (SPEC section 6): which incoming ones the gateway strips,
 * and which it adds for the upstream.
 *
 * <p><b>Stripping.</b> A client must never be able to name itself to the upstream, so every header
 * that stepgate or a well-known auth proxy uses to carry identity is removed from every incoming
 * request, whatever the client's spelling. Servers and frameworks disagree on header spelling (CGI
 * and PHP turn {@code Remote-User}, {@code Remote_User} and {@code Remote.User} into the same
 * {@code HTTP_REMOTE_USER}), so {@link #isIdentityHeader(String)} compares names case-insensitively
 * (RFC 9110 §5.1) with every character other than a letter or digit read as {@code -}: a superset
 * of the SPEC's "{@code _} or {@code .} in place of {@code -}".
 *
 * <p><b>Adding.</b> {@link #forUpstream(String, Optional)} yields {@code X-Stepgate-User} and, for
 * each enabled compatibility family, the headers apps written for that proxy read. The families
 * are fixed when the instance is built, so an unknown name fails at startup, not per request.
 * Every value is {@link HeaderText}: printable ASCII as it is, anything else as an RFC 8187
 * {@code UTF-8''…} ext-value, so no two users ever look alike to the app.
 */
public final class IdentityHeaders {

  /** Every stepgate header, present and future ({@code X-Stepgate-Assertion}, {@code -User}, …). */
  public static final String STEPGATE_PREFIX = "x-stepgate-";

  /**
   * Exact names (normalised) that carry identity for some auth proxy or platform, stripped from
   * every incoming request.
   */
  public static final Set<String> STRIPPED_NAMES = Set.of(
      // Authelia, Caddy/nginx forward_auth conventions, Apache mod_auth
      "remote-user", "remote-email", "remote-name", "remote-groups",
      "x-remote-user", "x-remote-email", "x-remote-name", "x-remote-groups",
      // oauth2-proxy (pass_user_headers, set_xauthrequest)
      "x-forwarded-user", "x-forwarded-email", "x-forwarded-preferred-username",
      "x-forwarded-groups", "x-forwarded-access-token",
      // generic and app-specific auth-proxy conventions (Grafana X-WEBAUTH-USER, Kong, …)
      "x-user", "x-username", "x-email", "x-webauth-user", "x-webauth-email", "x-webauth-name",
      "x-authenticated-user", "x-authenticated-userid", "x-authenticated-email", "x-auth-user",
      "x-proxy-user", "x-proxy-remote-user",
      // Pomerium, Google IAP, AWS ALB, Cloudflare Access, Azure App Service (exact names)
      "x-pomerium-jwt-assertion", "x-goog-iap-jwt-assertion",
      "cf-access-jwt-assertion", "cf-access-authenticated-user-email");

  /** Name prefixes (normalised) of header families that carry identity; also stripped. */
  public static final List<String> STRIPPED_PREFIXES = List.of(
      STEPGATE_PREFIX,
      "x-auth-request-",            // oauth2-proxy auth_request mode: -user, -email, -groups, …
      "x-pomerium-claim-",
      "x-goog-authenticated-user-", // Google IAP: -email, -id
      "x-amzn-oidc-",               // AWS ALB: -data, -identity, -accesstoken
      "x-ms-client-principal");     // Azure App Service: itself, -name, -id, -idp

  /** The header stepgate always adds: the username. */
  public static final String STEPGATE_USER = "X-Stepgate-User";

  /** The header carrying the signed assertion (added by the proxy). */
  public static final String STEPGATE_ASSERTION = "X-Stepgate-Assertion";

  private final Set<CompatFamily> families;

  /**
   * @param enabledFamilies config names from {@code assertion.compat_headers}: {@code authelia},
   *     {@code oauth2-proxy}
   * @throws IdentityException naming every unknown family
   */
  public IdentityHeaders(List<String> enabledFamilies) {
    if (enabledFamilies == null) throw new IllegalArgumentException("enabledFamilies must not be null");
    var set = EnumSet.noneOf(CompatFamily.class);
    var unknown = new ArrayList<String>();
    for (var name : enabledFamilies) {
      var f = CompatFamily.byConfigName(name);
      if (f.isPresent()) set.add(f.get());
      else unknown.add(String.valueOf(name));
    }
    if (!unknown.isEmpty())
      throw new IdentityException(IdentityException.INVALID_SETTING,
          "unknown compat header famil" + (unknown.size() == 1 ? "y " : "ies ") + String.join(", ", unknown)
              + " (known: " + CompatFamily.configNames() + ")");
    this.families = Collections.unmodifiableSet(set);
  }

  /** The enabled compatibility families. */
  public Set<CompatFamily> families() {
    return families;
  }

  /**
   * True when {@code name} is a header that carries identity and so must not come from a client,
   * in any letter case and with any non-alphanumeric character in place of {@code -}.
   */
  public static boolean isIdentityHeader(String name) {
    if (name == null) return false;
    var n = normalize(name);
    // The bare prefix name too: the whole X-Stepgate namespace is the gateway's.
    if (STRIPPED_NAMES.contains(n) || n.equals("x-stepgate")) return true;
    for (var p : STRIPPED_PREFIXES) if (n.startsWith(p)) return true;
    return false;
  }

  /**
   * Lower-cases {@code name} and maps every character that is not an ASCII letter or digit to
   * {@code -}, so spellings a downstream server would treat alike compare equal.
   */
  static String normalize(String name) {
    var out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') out.append((char) (c + ('a' - 'A')));
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.append(c);
      else out.append('-');
    }
    return out.toString();
  }

  /**
   * The identity headers for the upstream of a signed-in user, in a stable order: {@code
   * X-Stepgate-User}, then per enabled family — {@code authelia}: {@code Remote-User}, {@code
   * Remote-Name} (display name, else username), {@code Remote-Email}; {@code oauth2-proxy}: {@code
   * X-Forwarded-User}, {@code X-Forwarded-Email} (the groups headers: see {@link
   * #forUpstream(String, Optional, java.util.Collection)}). An email header is sent only when the username
   * looks like an email address; stepgate has no other source of one. Values are encoded by
   * {@link HeaderText#encode}; the caller builds them once per session and reuses them.
   *
   * @throws IdentityException if a value holds a control character or an unpaired surrogate
   */
  public Map<String, String> forUpstream(String username, Optional<String> displayName) {
    return forUpstream(username, displayName, List.of());
  }

  /**
   * As {@link #forUpstream(String, Optional)}, with the user's {@code groups} as {@code
   * Remote-Groups} ({@code authelia}) and {@code X-Forwarded-Groups} ({@code oauth2-proxy}):
   * sorted, joined by {@code ","}, sent only when there is at least one. Group names ({@link
   * dev.stepgate.GroupNames}) hold no comma, space or control character, so the list cannot be
   * read as anything else.
   *
   * @throws IdentityException if a value holds a control character or an unpaired surrogate, or a
   *     group is not a valid group name
   */
  public Map<String, String> forUpstream(String username, Optional<String> displayName, java.util.Collection<String> groups) {
    var user = headerValue(username, "username");
    // The same String where the value is the same: the relay keeps each distinct long value as bytes.
    var display = displayName.filter(d -> !d.isBlank());
    var name = display.isPresent() ? headerValue(display.get(), "display name") : user;
    var email = looksLikeEmail(username) ? Optional.of(user) : Optional.<String>empty();
    var groupList = groupList(groups);
    var out = new LinkedHashMap<String, String>();
    out.put(STEPGATE_USER, user);
    if (families.contains(CompatFamily.AUTHELIA)) {
      out.put("Remote-User", user);
      out.put("Remote-Name", name);
      email.ifPresent(e -> out.put("Remote-Email", e));
      groupList.ifPresent(g -> out.put("Remote-Groups", g));
    }
    if (families.contains(CompatFamily.OAUTH2_PROXY)) {
      out.put("X-Forwarded-User", user);
      email.ifPresent(e -> out.put("X-Forwarded-Email", e));
      groupList.ifPresent(g -> out.put("X-Forwarded-Groups", g));
    }
    return Collections.unmodifiableMap(out);
  }

  /** The groups sorted and joined by {@code ","}; empty when there are none. */
  private static Optional<String> groupList(java.util.Collection<String> groups) {
    if (groups == null || groups.isEmpty()) return Optional.empty();
    var sorted = new java.util.TreeSet<String>();
    for (var g : groups) {
      if (!dev.stepgate.GroupNames.valid(g))
        throw new IdentityException(IdentityException.UNFORWARDABLE, "a group is not a valid group name");
      sorted.add(g);
    }
    return Optional.of(String.join(",", sorted));
  }

  /** One {@code @}, a non-empty local part, a dotted domain, no spaces: enough to not mislead. */
  static boolean looksLikeEmail(String s) {
    int at = s.indexOf('@');
    if (at <= 0 || at != s.lastIndexOf('@') || s.indexOf(' ') >= 0) return false;
    var domain = s.substring(at + 1);
    int dot = domain.indexOf('.');
    return dot > 0 && !domain.endsWith(".") && !domain.contains("..");
  }

  /** {@code value} as a header value ({@link HeaderText}), refusing what no user name should hold. */
  private static String headerValue(String value, String what) {
    if (value == null || value.isBlank())
      throw new IdentityException(IdentityException.UNFORWARDABLE, what + " must not be blank");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // Encoding would make them harmless (RFC 9110 §5.5 forbids CR, LF, NUL raw), but usernames
      // never hold controls (Usernames.normalize): one that does is not a name to vouch for.
      if (c < 0x20 || c == 0x7f)
        throw new IdentityException(IdentityException.UNFORWARDABLE, what + " contains a control character");
    }
    try {
      return HeaderText.encode(value);
    } catch (IllegalArgumentException unpairedSurrogate) {
      throw new IdentityException(IdentityException.UNFORWARDABLE, what + " is not well-formed Unicode");
    }
  }

  /** Opt-in header families for apps written for another auth proxy. */
  public enum CompatFamily {
    /** Authelia's {@code Remote-User}, {@code Remote-Name}, {@code Remote-Email}, {@code Remote-Groups}. */
    AUTHELIA("authelia"),
    /** oauth2-proxy's {@code X-Forwarded-User}, {@code X-Forwarded-Email}, {@code X-Forwarded-Groups}. */
    OAUTH2_PROXY("oauth2-proxy");

    private final String configName;

    CompatFamily(String configName) {
      this.configName = configName;
    }

    /** The name used in {@code assertion.compat_headers}. */
    public String configName() {
      return configName;
    }

    /** The family with this config name (exact, lower case), if any. */
    public static Optional<CompatFamily> byConfigName(String name) {
      for (var f : values()) if (f.configName.equals(name)) return Optional.of(f);
      return Optional.empty();
    }

    static String configNames() {
      var names = new ArrayList<String>();
      for (var f : values()) names.add(f.configName);
      return String.join(", ", names);
    }
  }

  @Override
  public String toString() {
    return "IdentityHeaders" + families;
  }
}
