package dev.stepgate.demo;

import dev.stepgate.proxy.Html;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo app's own password login (password mode), as a legacy app has one: fixed demo
 * accounts, a form at {@code /login}, a random session id in cookie {@value #COOKIE}, and
 * {@code GET /api/me} naming the signed-in user (the endpoint stepgate's bolt-on mode asks).
 */
final class AppLogin {
  static final String COOKIE = "ACMESESSION";
  /** Bounds: a demo on a laptop, but a flood of logins must not grow memory without limit. */
  static final int MAX_SESSIONS = 10_000;
  static final Duration SESSION_LIFETIME = Duration.ofHours(12);
  static final int MAX_EMAIL = 254;
  static final int MAX_PASSWORD = 1024;
  static final int MAX_RETURN_PATH = 2048;

  /** An account of the demo app; the password is a demo secret, printed at start-up. */
  record DemoAccount(String email, String password, List<String> roles) {
    DemoAccount {
      roles = List.copyOf(roles);
    }
  }

  static final List<DemoAccount> ACCOUNTS = List.of(
      new DemoAccount("alice@example.com", "alice-demo-password", List.of("finance")),
      new DemoAccount("bob@example.com", "bob-demo-password", List.of("admins")));

  private record AppSession(DemoAccount account, Instant created) {}

  /** What the pages are drawn with: the demo app's layout. */
  interface Layout {
    void page(RoutingContext ctx, String title, String body);
  }

  private final Map<String, AppSession> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  AppLogin(Clock clock) {
    this.clock = clock;
  }

  /** The account whose live session the request's {@value #COOKIE} names. */
  Optional<DemoAccount> signedIn(RoutingContext ctx) {
    var cookie = ctx.request().getCookie(COOKIE);
    return cookie == null ? Optional.empty() : account(cookie.getValue());
  }

  /** The account of the live session {@code sessionId}. */
  Optional<DemoAccount> account(String sessionId) {
    if (sessionId.isEmpty()) return Optional.empty();
    var s = sessions.get(sessionId);
    if (s == null) return Optional.empty();
    if (expired(s)) {
      sessions.remove(sessionId, s);
      return Optional.empty();
    }
    return Optional.of(s.account());
  }

  /** A new session of {@code account} under a new random id, within {@link #MAX_SESSIONS}. */
  String startSession(DemoAccount account) {
    var id = newSessionId();
    makeRoom();
    sessions.put(id, new AppSession(account, clock.instant()));
    return id;
  }

  /** Ends session {@code sessionId}, if it is one. */
  void endSession(String sessionId) {
    sessions.remove(sessionId);
  }

  int sessionCount() {
    return sessions.size();
  }

  /** Where an anonymous caller of {@code returnTo} is sent: the login form, then back. */
  static String loginUrl(String returnTo) {
    return "/login?rd=" + URLEncoder.encode(returnPath(returnTo), StandardCharsets.UTF_8);
  }

  void routes(Router router, Layout layout) {
    router.get("/login").handler(ctx -> form(ctx, layout, ctx.request().getParam("rd"), "", null));
    router.post("/login").handler(ctx -> login(ctx, layout));
    router.post("/logout").handler(this::logout);
    router.get("/api/me").handler(this::whoami);
  }

  private void login(RoutingContext ctx, Layout layout) {
    var req = ctx.request();
    var email = Optional.ofNullable(req.getFormAttribute("email")).map(String::trim).orElse("");
    var password = Optional.ofNullable(req.getFormAttribute("password")).orElse("");
    var rd = req.getFormAttribute("rd");
    var account = check(email, password);
    if (account.isEmpty()) {
      ctx.response().setStatusCode(401);
      form(ctx, layout, rd, email, "Wrong email or password.");
      return;
    }
    // No fixation: whatever session the browser brought ends, and the login gets a new id.
    var old = ctx.request().getCookie(COOKIE);
    if (old != null) endSession(old.getValue());
    ctx.response().addCookie(sessionCookie(startSession(account.get())));
    ctx.response().setStatusCode(303).putHeader("Location", returnPath(rd)).end();
  }

  private void logout(RoutingContext ctx) {
    var cookie = ctx.request().getCookie(COOKIE);
    if (cookie != null) endSession(cookie.getValue());
    ctx.response().addCookie(sessionCookie("").setMaxAge(0));
    ctx.response().setStatusCode(303).putHeader("Location", "/").end();
  }

  private void whoami(RoutingContext ctx) {
    var res = ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
    signedIn(ctx).ifPresentOrElse(
        a -> res.end(new JsonObject().put("user", new JsonObject().put("email", a.email())
            .put("roles", new JsonArray(a.roles()))).encode()),
        () -> res.setStatusCode(401).end(new JsonObject().put("error", "not signed in").encode()));
  }

  private static void form(RoutingContext ctx, Layout layout, String rd, String email, String error) {
    ctx.response().putHeader("Cache-Control", "no-store");
    var accounts = new StringBuilder();
    for (var a : ACCOUNTS)
      accounts.append("<li><code>").append(Html.esc(a.email())).append("</code> / <code>").append(Html.esc(a.password()))
          .append("</code> (").append(Html.esc(String.join(", ", a.roles()))).append(")</li>");
    layout.page(ctx, "Sign in",
        (error == null ? "" : "<p id=\"error\" role=\"alert\">" + Html.esc(error) + "</p>")
            + "<form method=\"post\" action=\"/login\">"
            + "<input type=\"hidden\" name=\"rd\" value=\"" + Html.esc(returnPath(rd)) + "\">"
            + "<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\""
            + " required value=\"" + Html.esc(email) + "\">"
            + "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\""
            + " autocomplete=\"current-password\" required><button type=\"submit\">Sign in</button></form>"
            + "<p>This is the app's own password login; passkeys are added by the gateway in front of it."
            + " Demo accounts:</p><ul>" + accounts + "</ul>");
  }

  /** The account, if the password is its password; compared in constant time. */
  static Optional<DemoAccount> check(String email, String password) {
    if (email.length() > MAX_EMAIL || password.length() > MAX_PASSWORD) return Optional.empty();
    var given = sha256(password);
    var match = ACCOUNTS.stream().filter(a -> a.email().equalsIgnoreCase(email)).findFirst();
    // Equal-length digests: MessageDigest.isEqual then takes the same time whatever matches;
    // an unknown email is compared against a dummy so it costs the same as a wrong password.
    var expected = sha256(match.map(DemoAccount::password).orElse("\0no such account"));
    boolean ok = MessageDigest.isEqual(expected, given);
    return ok ? match : Optional.empty();
  }

  /**
   * {@code rd} if it is a same-origin relative path ({@code /…}, no scheme, no host, no
   * {@code //} or {@code \}), else {@code /}: the login never sends anyone to another site.
   */
  static String returnPath(String rd) {
    if (rd == null || rd.isEmpty() || rd.length() > MAX_RETURN_PATH) return "/";
    if (!rd.startsWith("/") || rd.startsWith("//")) return "/";
    for (int i = 0; i < rd.length(); i++) {
      char c = rd.charAt(i);
      if (c < 0x21 || c == 0x7f || c == '\\') return "/";
    }
    try {
      var u = new URI(rd);
      if (u.getScheme() != null || u.getRawAuthority() != null) return "/";
    } catch (URISyntaxException e) {
      return "/";
    }
    return rd;
  }

  private static Cookie sessionCookie(String value) {
    return Cookie.cookie(COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX);
  }

  /** 256 random bits, base64url. */
  private String newSessionId() {
    var bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Keeps the session map within {@link #MAX_SESSIONS}: expired ones first, then the oldest. */
  private void makeRoom() {
    if (sessions.size() < MAX_SESSIONS) return;
    sessions.entrySet().removeIf(e -> expired(e.getValue()));
    while (sessions.size() >= MAX_SESSIONS) {
      var oldest = sessions.entrySet().stream().min(Comparator.comparing(e -> e.getValue().created()));
      if (oldest.isEmpty()) break;
      sessions.remove(oldest.get().getKey());
    }
  }

  private boolean expired(AppSession s) {
    return !clock.instant().isBefore(s.created().plus(SESSION_LIFETIME));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }
}
