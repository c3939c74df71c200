package dev.stepgate.demo;

import dev.stepgate.proxy.Html;
import dev.stepgate.identity.HeaderText;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bundled "legacy" app of {@code stepgate demo}: a small bank-like site that knows nothing
 * about passkeys. It shows every identity header it received so a newcomer sees what the gateway
 * adds. Who the user is comes from the gateway's headers ({@link Mode#GATEWAY}) or from the app's
 * own password login ({@link Mode#PASSWORD}, the legacy app of bolt-on mode, SPEC section 8).
 */
public final class DemoApp {
  /** Where the app learns who the user is. */
  public enum Mode {
    /** From {@code X-Stepgate-User}: the gateway owns sign-in ({@code stepgate demo}). */
    GATEWAY,
    /** From its own session cookie: the app keeps its password login ({@code stepgate demo --bolt-on}). */
    PASSWORD
  }

  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final Mode mode;
  private final AppLogin login = new AppLogin(Clock.systemUTC());
  private volatile AssertionCheck assertions = AssertionCheck.NONE;

  private DemoApp(HttpServer server, Mode mode) {
    this.server = server;
    this.mode = mode;
  }

  /** One user's data in the demo app; counters let tests see what really landed. */
  static final class Account {
    volatile String email;
    volatile String payoutDestination = "DE89 3704 0044 0532 0130 00";
    final AtomicInteger emailChanges = new AtomicInteger();
    final AtomicInteger payoutChanges = new AtomicInteger();

    Account(String user) {
      this.email = user.contains("@") ? user : user + "@example.com";
    }
  }

  /** The app in {@link Mode#GATEWAY}: it trusts the gateway's headers. */
  public static Future<DemoApp> start(Vertx vertx, String host, int port) {
    return start(vertx, host, port, Mode.GATEWAY);
  }

  public static Future<DemoApp> start(Vertx vertx, String host, int port, Mode mode) {
    var router = Router.router(vertx);
    var server = vertx.createHttpServer().requestHandler(router);
    var app = new DemoApp(server, mode);
    app.routes(router);
    return server.listen(port, host).map(s -> app);
  }

  /**
   * The accounts of {@link Mode#PASSWORD}, one line each ({@code email / password (roles)}), for
   * the demo's start-up banner: demo secrets, meant to be shown.
   */
  public static List<String> passwordAccounts() {
    return AppLogin.ACCOUNTS.stream()
        .map(a -> a.email() + " / " + a.password() + " (roles: " + String.join(", ", a.roles()) + ")").toList();
  }

  public int port() {
    return server.actualPort();
  }

  /** Verify {@code X-Stepgate-Assertion} against the gateway's JWKS, as a real app would. */
  public void verifyAssertionsWith(AssertionCheck check) {
    this.assertions = check;
  }

  private void routes(Router router) {
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.get("/static/app.css").handler(ctx -> ctx.response().putHeader("Content-Type", "text/css").end(CSS));
    if (mode == Mode.PASSWORD) login.routes(router, this::page);
    router.get("/").handler(ctx -> page(ctx, "Welcome to Acme Bank", (mode == Mode.PASSWORD
            ? "<p>This is a legacy app with its own password login and no idea what a passkey is."
                + " The gateway in front of it asks for a passkey where it matters: changing your email and payouts.</p>"
                + "<p><a href=\"/login\">Sign in</a> with a demo account (listed on the sign-in page).</p>"
            : "<p>This is a legacy app with no idea what a passkey is. The gateway in front of it decides who may see what.</p>")
            + "<ul><li><a href=\"/account\">Your account</a> (signed-in users)</li>"
            + "<li><a href=\"/account/email\">Change your email</a> (asks for a fresh passkey)</li>"
            + "<li><a href=\"/payouts\">Payouts</a> (asks for a fresh passkey on every change)</li>"
            + "<li><a href=\"/api/balance\">JSON API: balance</a></li>"
            + "<li><a href=\"/admin\">Admin area</a> (always denied)</li></ul>"));
    router.get("/account").handler(signedIn(ctx -> {
      var a = account(ctx);
      page(ctx, "Your account",
          "<dl><dt>User</dt><dd id=\"user\">" + Html.esc(user(ctx)) + "</dd><dt>Email</dt><dd id=\"email\">"
              + Html.esc(a.email) + "</dd><dt>Email changes</dt><dd id=\"email-changes\">" + a.emailChanges.get()
              + "</dd></dl><p><a href=\"/account/email\">Change email</a></p>");
    }, "/account"));
    router.get("/account/email").handler(signedIn(ctx -> page(ctx, "Change your email",
        "<form method=\"post\" action=\"/account/email\"><label for=\"email\">New email</label>"
            + "<input id=\"email\" name=\"email\" type=\"email\" required value=\"" + Html.esc(account(ctx).email) + "\">"
            + "<button type=\"submit\">Save</button></form>"), "/account/email"));
    router.post("/account/email").handler(signedIn(ctx -> {
      var email = ctx.request().getFormAttribute("email");
      if (email == null || email.isBlank() || email.length() > 200) {
        ctx.response().setStatusCode(400);
        page(ctx, "Change your email", "<p>Please give an email address.</p>");
        return;
      }
      var a = account(ctx);
      a.email = email.trim();
      a.emailChanges.incrementAndGet();
      page(ctx, "Email changed", "<p id=\"result\">Your email is now <b>" + Html.esc(a.email) + "</b>.</p>"
          + "<p><a href=\"/account\">Back to your account</a></p>");
    }, "/account/email"));
    router.get("/payouts").handler(signedIn(ctx -> {
      var a = account(ctx);
      page(ctx, "Payouts", "<p>Payouts go to <b id=\"destination\">" + Html.esc(a.payoutDestination) + "</b>.</p>"
          + "<form method=\"post\" action=\"/payouts/destination\"><label for=\"iban\">New IBAN</label>"
          + "<input id=\"iban\" name=\"iban\" required><button type=\"submit\">Change destination</button></form>");
    }, "/payouts"));
    router.post("/payouts/destination").handler(signedIn(ctx -> {
      var iban = ctx.request().getFormAttribute("iban");
      var a = account(ctx);
      if (iban != null && !iban.isBlank() && iban.length() <= 64) {
        a.payoutDestination = iban.trim();
        a.payoutChanges.incrementAndGet();
      }
      page(ctx, "Payout destination changed", "<p id=\"result\">Payouts now go to <b>" + Html.esc(a.payoutDestination) + "</b>.</p>");
    }, "/payouts"));
    router.get("/api/balance").handler(signedIn(ctx -> {
      var a = account(ctx);
      ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject()
          .put("user", user(ctx)).put("balance", "1234.56").put("currency", "EUR")
          .put("emailChanges", a.emailChanges.get()).put("payoutChanges", a.payoutChanges.get())
          .put("headers", identityHeaders(ctx)).encode());
    }, null));
    router.get("/api/echo").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("path", ctx.request().path()).put("headers", identityHeaders(ctx)).encode()));
    router.get("/admin").handler(signedIn(ctx -> page(ctx, "Admin", "<p>If you can read this, the gateway let you in.</p>"), "/admin"));
  }

  /**
   * {@code handler} for a signed-in user. In {@link Mode#PASSWORD} an anonymous caller is sent to
   * the app's login and back to {@code returnTo} (an API, {@code returnTo} null, answers 401); in
   * {@link Mode#GATEWAY} the gateway already decided, so the handler always runs.
   */
  private Handler<RoutingContext> signedIn(Handler<RoutingContext> handler, String returnTo) {
    if (mode == Mode.GATEWAY) return handler;
    return ctx -> {
      if (login.signedIn(ctx).isPresent()) handler.handle(ctx);
      else if (returnTo == null)
        ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("error", "not signed in").encode());
      else ctx.response().setStatusCode(303).putHeader("Location", AppLogin.loginUrl(returnTo)).end();
    };
  }

  private Account account(RoutingContext ctx) {
    return accounts.computeIfAbsent(user(ctx), Account::new);
  }

  /**
   * The signed-in user: the app session's account in {@link Mode#PASSWORD}; else the gateway's
   * {@code X-Stepgate-User}, decoded as any app would (a non-ASCII name arrives as {@code UTF-8''…}, HeaderText).
   */
  private String user(RoutingContext ctx) {
    if (mode == Mode.PASSWORD) return login.signedIn(ctx).map(AppLogin.DemoAccount::email).orElse("anonymous");
    var u = ctx.request().getHeader("X-Stepgate-User");
    if (u == null) return "anonymous";
    try {
      return HeaderText.decode(u);
    } catch (IllegalArgumentException malformed) {
      return u;
    }
  }

  private static Map<String, String> identityHeaders(RoutingContext ctx) {
    var out = new TreeMap<String, String>();
    for (var e : ctx.request().headers()) {
      var n = e.getKey().toLowerCase();
      if (n.startsWith("x-stepgate-") || n.startsWith("x-forwarded-") || n.startsWith("remote-"))
        out.put(n, n.equals("x-stepgate-assertion") ? e.getValue().substring(0, Math.min(24, e.getValue().length())) + "…" : e.getValue());
    }
    return out;
  }

  private void page(RoutingContext ctx, String title, String body) {
    var token = ctx.request().getHeader("X-Stepgate-Assertion");
    var check = assertions;
    ctx.vertx().executeBlocking(() -> check.verify(token), false)
        .onComplete(ar -> render(ctx, title, body, ar.succeeded() ? ar.result() : "not verified: " + ar.cause().getClass().getSimpleName()));
  }

  private void render(RoutingContext ctx, String title, String body, String verdict) {
    var rows = new StringBuilder();
    identityHeaders(ctx).forEach((k, v) -> rows.append("<tr><th>").append(Html.esc(k)).append("</th><td><code>")
        .append(Html.esc(v)).append("</code></td></tr>"));
    var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.esc(title)
        + " · Acme Bank</title><link rel=\"stylesheet\" href=\"/static/app.css\"><link rel=\"icon\" href=\"data:,\"></head><body>"
        + "<header><a href=\"/\">Acme Bank</a> <span class=\"demo\">legacy demo app</span>"
        + who(ctx)
        + "<main><h1>" + Html.esc(title) + "</h1>" + body + "</main>"
        + "<aside><h2>What the gateway told this app</h2>"
        + "<p>Signed assertion: <b id=\"assertion\">" + Html.esc(verdict) + "</b></p>"
        + (rows.length() == 0 ? "<p>No identity headers: this request came in anonymously.</p>"
            : "<table>" + rows + "</table>")
        + "</aside></body></html>";
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html);
  }

  /** The header's end: who is signed in, and how to sign in or out (the app's own or the gateway's). */
  private String who(RoutingContext ctx) {
    var user = user(ctx);
    if (mode == Mode.PASSWORD)
      return user.equals("anonymous")
          ? "<span class=\"who\">not signed in · <a href=\"/login\">Sign in</a></span></header>"
          : "<span class=\"who\">Signed in as <b id=\"signed-in-as\">" + Html.esc(user) + "</b> · "
              + "<form class=\"signout\" method=\"post\" action=\"/logout\"><button id=\"sign-out\" type=\"submit\">Sign out</button></form></span></header>";
    return user.equals("anonymous")
        ? "<span class=\"who\">not signed in · <a href=\"/.stepgate/login\">sign in</a></span></header>"
        : "<span class=\"who\">signed in as <b>" + Html.esc(user) + "</b> · <a href=\"/.stepgate/account\">passkeys</a> · "
            // Sign-out is a POST from this origin: the gateway ends no session on a GET.
            + "<form class=\"signout\" method=\"post\" action=\"/.stepgate/logout\"><button id=\"sign-out\" type=\"submit\">sign out</button></form></span></header>";
  }

  private static final String CSS = """
      body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f4f6fa}
      header{background:#12304f;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1rem;align-items:center}
      header a{color:#fff;font-weight:600;text-decoration:none}.demo{opacity:.7;font-size:.85rem}
      .who{margin-left:auto;font-size:.9rem}.who a{font-weight:400;text-decoration:underline}
      .signout{display:inline;margin:0}.signout button{font:inherit;margin:0;padding:0;border:0;background:none;color:#fff;text-decoration:underline;cursor:pointer}
      main,aside{max-width:46rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:8px}
      aside{font-size:.85rem}aside th{text-align:left;padding-right:1rem;vertical-align:top}
      #error{color:#a40e26;font-weight:600}code{word-break:break-all}label{display:block;margin:.5rem 0 .2rem}
      input{font:inherit;padding:.4rem;width:100%;max-width:24rem}button{font:inherit;margin-top:.8rem;padding:.45rem 1rem}
      """;
}
