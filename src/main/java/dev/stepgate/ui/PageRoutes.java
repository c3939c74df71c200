package dev.stepgate.ui;

import dev.stepgate.admission.Problems;
import dev.stepgate.proxy.Html;
import dev.stepgate.credential.PasskeyStore;
import dev.stepgate.credential.UserStore;
import dev.stepgate.proxy.RequestIds;
import dev.stepgate.proxy.Responder;
import dev.stepgate.passkey.RegistrationMode;
import dev.stepgate.proxy.HeldReplay;
import dev.stepgate.admission.ReturnTarget;
import dev.stepgate.stepup.StepUpResume;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/** The gateway's pages and their static files, under {@code /.stepgate/}. */
public final class PageRoutes {
  private static final Logger LOG = Logger.getLogger(PageRoutes.class.getName());
  // Per instance (one per gateway): an outage logs one line per window on each gateway.
  private final dev.stepgate.observe.LogThrottle failures =
      new dev.stepgate.observe.LogThrottle(LOG, dev.stepgate.observe.LogThrottle.FAILURE_WINDOW);
  /** Pages allow only their own script and styles; nothing may frame them. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private final Vertx vertx;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final PasskeyStore credentials;
  private final RegistrationMode mode;
  private final StepUpResume stepUps;
  private final HeldReplay replay;
  private final Supplier<String> jwks;
  private final Set<String> origins;
  private final UserStore users;
  private final String rpId;
  private final AuthenticatorNames names = AuthenticatorNames.bundled();
  private Optional<BoltOn> boltOn = Optional.empty();

  /**
   * @param origins the browser origins of this site (lower case), as the JSON API accepts them
   * @param users where the account page reads its owner's display name
   * @param rpId the WebAuthn relying party id, which the account page's script names to the browser
   */
  public PageRoutes(Vertx vertx, SessionStore sessions, SessionCookie cookie, PasskeyStore credentials,
      RegistrationMode mode, StepUpResume stepUps, HeldReplay replay, Supplier<String> jwks, Set<String> origins,
      UserStore users, String rpId) {
    this.users = users;
    this.rpId = rpId;
    this.vertx = vertx;
    this.sessions = sessions;
    this.cookie = cookie;
    this.credentials = credentials;
    this.mode = mode;
    this.stepUps = stepUps;
    this.replay = replay;
    this.jwks = jwks;
    this.origins = Set.copyOf(origins);
  }

  /** Bolt-on mode (SPEC section 8): the app's session names the caller; call before {@link #mount}. */
  public PageRoutes boltOn(Optional<BoltOn> settings) {
    this.boltOn = settings;
    return this;
  }

  public void mount(Router router) {
    router.get("/.stepgate/static/*").handler(StaticHandler.create("stepgate/static")
        .setCachingEnabled(true).setMaxAgeSeconds(3600).setIncludeHidden(false).setDirectoryListing(false));
    router.get("/.stepgate/jwks.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "public, max-age=300").end(jwks.get()));
    var lookup = new SessionLookup(cookie, sessions, boltOn);
    for (var page : java.util.List.of("login", "register", "step-up", "account", "logout"))
      router.get("/.stepgate/" + page).handler(lookup);
    router.get("/.stepgate/login").handler(ctx -> html(ctx, boltOn.isPresent() ? Pages.appLoginFirst(rd(ctx))
        : Pages.login(rd(ctx), mode != RegistrationMode.CLOSED)));
    router.get("/.stepgate/register").handler(this::register);
    router.get("/.stepgate/step-up").handler(this::stepUp);
    router.get("/.stepgate/account").handler(this::account);
    router.get("/.stepgate/recover").handler(ctx -> html(ctx,
        Pages.recover(Optional.ofNullable(ctx.request().getParam("token")).filter(t -> !t.isBlank() && t.length() <= 64))));
    router.get("/.stepgate/logout").handler(ctx -> html(ctx, session(ctx)
        .map(s -> Pages.signOut(s.username())).orElseGet(Pages::signedOut)));
    router.post("/.stepgate/logout").handler(BodyHandler.create(false).setBodyLimit(4096).setHandleFileUploads(false));
    router.post("/.stepgate/logout").handler(this::logout);
    router.get("/.stepgate/resume/:id").handler(ctx -> replay.handle(ctx.request(), ctx.pathParam("id")));
  }

  /**
   * Ends the session, but only for a POST from a page of this site: a cross-site form or link (a
   * forced sign-out, CSRF) gets a 403 page and changes nothing. The JSON API's {@code
   * POST /.stepgate/api/logout} keeps its own same-origin JSON check.
   */
  private void logout(RoutingContext ctx) {
    var req = ctx.request();
    if (!sameOrigin(req.getHeader("Origin"), req.getHeader("Referer"))) {
      ctx.response().setStatusCode(403);
      html(ctx, Pages.signOutRefused());
      return;
    }
    // The browser forgets the cookie either way; the redirect says signed out only once the
    // store has ended the session (a shared store may be down: then 503, the session lives on).
    ctx.response().putHeader("Set-Cookie", cookie.clear());
    var ended = cookie.read(req.getHeader("Cookie")).map(sessions::end)
        .orElse(java.util.concurrent.CompletableFuture.completedFuture(null));
    Future.fromCompletionStage(ended, vertx.getOrCreateContext()).onComplete(ar -> {
      if (ar.succeeded()) redirect(ctx, "/.stepgate/login");
      else unavailable(ctx, "sign-out", ar.cause());
    });
  }

  /**
   * True when the request came from one of this site's origins: its {@code Origin} (which every
   * current browser sends on a form POST) is one of them, or, without {@code Origin}, its {@code
   * Referer}'s origin is (the pages send it: {@code Referrer-Policy: same-origin}). Neither: no.
   */
  boolean sameOrigin(String origin, String referer) {
    if (origin != null) return origins.contains(origin.toLowerCase(Locale.ROOT));
    if (referer == null) return false;
    try {
      var u = new URI(referer);
      if (u.getScheme() == null || u.getHost() == null || u.getRawUserInfo() != null) return false;
      var scheme = u.getScheme().toLowerCase(Locale.ROOT);
      int port = u.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      var o = scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
      return origins.contains(o);
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private void register(RoutingContext ctx) {
    var invite = Optional.ofNullable(ctx.request().getParam("invite")).filter(s -> !s.isBlank());
    var session = session(ctx);
    if (boltOn.isPresent()) {
      appRegister(ctx, session, invite);
      return;
    }
    if (session.isPresent()) {
      redirect(ctx, "/.stepgate/account");
      return;
    }
    if (mode == RegistrationMode.CLOSED || (mode == RegistrationMode.INVITE && invite.isEmpty())) {
      ctx.response().setStatusCode(403);
      html(ctx, Html.page("Enrollment link needed", "<h1>Ask for an enrollment link</h1><p>New passkeys can only be "
          + "added with an enrollment link from your administrator.</p><p><a href=\"/.stepgate/login\">Sign in</a></p>", null));
      return;
    }
    html(ctx, Pages.register(rd(ctx), invite, Optional.empty()));
  }

  /**
   * Bolt-on mode: an enrollment link (or {@code on_step_up}) gives an app user their first passkey
   * here, only while the app session names that very user; anyone else is sent to the app's login.
   */
  private void appRegister(RoutingContext ctx, Optional<Session> session, Optional<String> invite) {
    if (session.isEmpty()) {
      html(ctx, Pages.appLoginFirst(ctx.request().uri()));
      return;
    }
    var s = session.get();
    Future.fromCompletionStage(credentials.ofUser(s.userId()), vertx.getOrCreateContext()).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, "enrollment page", ar.cause());
        return;
      }
      if (!ar.result().isEmpty()) {
        redirect(ctx, "/.stepgate/account");
        return;
      }
      if (boltOn.get().inviteRequired() && invite.isEmpty()) {
        ctx.response().setStatusCode(403);
        html(ctx, Pages.enrollmentLinkNeeded(s.username(), Optional.empty()));
        return;
      }
      html(ctx, Pages.firstPasskey(rd(ctx), s.username(), invite, Optional.empty()));
    });
  }

  private void stepUp(RoutingContext ctx) {
    var session = session(ctx);
    if (session.isEmpty()) {
      redirect(ctx, "/.stepgate/login?rd=" + encode(ctx.request().uri()));
      return;
    }
    if (boltOn.isPresent()) {
      // An app user without a passkey is offered the first one as first_enrollment allows (SPEC section 8).
      Future.fromCompletionStage(credentials.ofUser(session.get().userId()), vertx.getOrCreateContext()).onComplete(ar -> {
        if (ar.failed()) unavailable(ctx, "step-up prompt", ar.cause());
        else if (!ar.result().isEmpty()) stepUpPrompt(ctx, session.get());
        else firstPasskeyPrompt(ctx, session.get());
      });
      return;
    }
    stepUpPrompt(ctx, session.get());
  }

  /** The step-up prompt's place for an app user with no passkey: enroll in place, or the invite explanation. */
  private void firstPasskeyPrompt(RoutingContext ctx, Session session) {
    var held = Optional.ofNullable(ctx.request().getParam("held"));
    Future.fromCompletionStage(stepUps.prompt(session, Optional.ofNullable(ctx.request().getParam("rd")), held),
        vertx.getOrCreateContext()).onComplete(ar -> {
          if (ar.failed()) {
            unavailable(ctx, "step-up prompt", ar.cause());
            return;
          }
          var prompt = ar.result();
          if (!prompt.needed()) {
            redirect(ctx, prompt.rd());
            return;
          }
          if (boltOn.get().inviteRequired()) {
            ctx.response().setStatusCode(403);
            html(ctx, Pages.enrollmentLinkNeeded(session.username(), prompt.description()));
          } else {
            // Back to this very prompt once the passkey exists: it then asks for the step-up with it.
            html(ctx, Pages.firstPasskey(ctx.request().uri(), session.username(), Optional.empty(), prompt.description()));
          }
        });
  }

  private void stepUpPrompt(RoutingContext ctx, Session current) {
    var session = Optional.of(current);
    var held = Optional.ofNullable(ctx.request().getParam("held"));
    Future.fromCompletionStage(stepUps.prompt(session.get(), Optional.ofNullable(ctx.request().getParam("rd")), held),
        vertx.getOrCreateContext()).onComplete(ar -> {
          if (ar.failed()) {
            unavailable(ctx, "step-up prompt", ar.cause());
            return;
          }
          var prompt = ar.result();
          if (!prompt.needed()) {
            redirect(ctx, prompt.rd());
            return;
          }
          html(ctx, Pages.stepUp(prompt.rd(), prompt.rule(), session.get().username(), prompt.description(), held,
              prompt.refusal()));
        });
  }

  private void account(RoutingContext ctx) {
    var session = session(ctx);
    if (session.isEmpty()) {
      redirect(ctx, "/.stepgate/login?rd=%2F.stepgate%2Faccount");
      return;
    }
    var s = session.get();
    var userId = s.userId();
    // The stores answer on their own threads; the page is written back on this request's context.
    var context = vertx.getOrCreateContext();
    var passkeys = Future.fromCompletionStage(credentials.ofUser(userId), context);
    var live = Future.fromCompletionStage(sessions.ofUser(userId), context);
    var user = Future.fromCompletionStage(users.byId(userId), context);
    Future.all(passkeys, live, user).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, "account page", ar.cause());
        return;
      }
      var labels = new java.util.HashMap<String, String>();
      var views = passkeys.result().stream().map(c -> {
        var id = Base64.getUrlEncoder().withoutPadding().encodeToString(c.credentialId());
        labels.put(id, c.label());
        return new Pages.PasskeyView(id, c.label(), c.createdAt(), c.lastUsedAt(), c.backupEligible(), names.of(c.aaguid()),
            c.viaRecovery());
      }).toList();
      var current = dev.stepgate.session.SessionIds.handle(s.id());
      var sessionViews = live.result().stream().map(x -> new Pages.SessionView(x.handle(), x.device().platform(),
          x.device().browser(), x.signedInAt(), x.lastSeenAt(), Optional.ofNullable(labels.get(x.credentialId())),
          x.handle().equals(current))).toList();
      var displayName = user.result().map(dev.stepgate.credential.User::displayName).orElse(s.username());
      html(ctx, Pages.account(new Pages.AccountOwner(s.username(), displayName, userId, rpId), views, sessionViews));
    });
  }

  private Optional<Session> session(RoutingContext ctx) {
    return SessionLookup.of(ctx);
  }

  /**
   * A store behind the page could not answer: 503, logged once with the exception's class and the
   * request id the answer carries.
   */
  private void unavailable(RoutingContext ctx, String what, Throwable err) {
    var requestId = RequestIds.generate();
    failures.answered503(what, err, requestId);
    Responder.send(ctx.request(), Problems.UNAVAILABLE.with(Problems.REQUEST_ID, requestId));
  }

  private static String rd(RoutingContext ctx) {
    return ReturnTarget.safe(ctx.request().getParam("rd"));
  }

  private static void html(RoutingContext ctx, String page) {
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", CSP).putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "same-origin").putHeader("X-Content-Type-Options", "nosniff").end(page);
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(303).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
