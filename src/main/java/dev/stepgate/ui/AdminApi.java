package dev.stepgate.ui;

import dev.stepgate.Async;
import dev.stepgate.StepgateException;
import dev.stepgate.admission.Problem;
import dev.stepgate.admission.Problems;
import dev.stepgate.audit.AuditEntry;
import dev.stepgate.audit.AuditTrail;
import dev.stepgate.credential.AuditLog;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.PasskeyStore;
import dev.stepgate.credential.User;
import dev.stepgate.credential.UserStore;
import dev.stepgate.observe.LogThrottle;
import dev.stepgate.passkey.InviteService;
import dev.stepgate.passkey.RecoveryService;
import dev.stepgate.proxy.RequestIds;
import dev.stepgate.proxy.Responder;
import dev.stepgate.ratelimit.Rate;
import dev.stepgate.ratelimit.RateCounter;
import dev.stepgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The admin HTTP API on {@code admin_listen} (SPEC section 8), for an app's own backend: its
 * mailer sends enrollment and recovery links, its support tools list and revoke a user's
 * passkeys. Mounted only when {@code admin_token} is set; every call needs {@code Authorization:
 * Bearer <admin_token>} ({@link AdminToken}), else 401 problem JSON.
 *
 * <p>Each route is one line of {@link #mount}: method, path under {@value #PREFIX}, the action
 * name the audit trail records, and the call. Every call, answered or refused (401 included),
 * is one {@code admin_action} line with {@code action}, {@code outcome} ({@code ok}, {@code
 * refused} or {@code failed}), {@code reason} (the problem type) and, once known, the target
 * username and its stable id. The token, a link's token and request bodies never reach a log or
 * the trail.
 *
 * <p>Failed token checks are counted per client address ({@link #FAILED_AUTH}): past the limit
 * they get 429 (audited once a minute per client, not per attempt, so a flood cannot drown the
 * trail). The right token is never refused by that limit: anyone who can reach the port would
 * otherwise lock the app's backend out.
 *
 * <p>An admin may revoke a user's last passkey, as {@code stepgate credentials revoke} may: an
 * operator acting on a compromised or lost device must be able to shut it out; the user gets back
 * in with a recovery link (the account page's last-passkey rule protects users from themselves).
 */
public final class AdminApi {
  public static final String PREFIX = "/admin/api/";
  /** Largest request body, in bytes: the bodies here are a username and a duration. */
  public static final int MAX_BODY = 16 * 1024;
  /** The shortest and longest {@code ttl} a link may be given. */
  static final Duration MIN_TTL = Duration.ofMinutes(1);
  static final Duration MAX_TTL = Duration.ofDays(30);
  /** Without {@code ttl}: as the CLI's {@code invite} and {@code recovery-link}. */
  static final Duration INVITE_TTL = Duration.ofDays(7);
  static final Duration RECOVERY_TTL = Duration.ofHours(24);
  /** Failed token checks per client address: 10 at once, then one every 6 s. */
  public static final Rate FAILED_AUTH = new Rate(10, Duration.ofMinutes(1), 10);
  /** How often a client's refusals past {@link #FAILED_AUTH} are audited. */
  static final Rate LIMITED_AUDIT = new Rate(1, Duration.ofMinutes(1), 1);
  static final String REALM = "Bearer realm=\"stepgate-admin\"";

  private static final Logger LOG = Logger.getLogger(AdminApi.class.getName());
  private static final Pattern TTL = Pattern.compile("([1-9][0-9]{0,6})([smhd])");
  private static final Set<String> LINK_FIELDS = Set.of("username", "ttl");
  /** Where a request's action name and id are kept between its handlers. */
  private static final String ACTION = "stepgate.admin.action";
  private static final String REQUEST_ID = "stepgate.admin.requestId";

  private final LogThrottle logged = new LogThrottle(LOG, LogThrottle.FAILURE_WINDOW);
  private final Vertx vertx;
  private final AdminToken token;
  private final String publicUrl;
  private final InviteService invites;
  private final RecoveryService recovery;
  private final UserStore users;
  private final PasskeyStore passkeys;
  private final AuditLog auditLog;
  private final SessionStore sessions;
  private final AuditTrail trail;
  private final RateCounter failures;
  private final CredentialJson credentialJson = new CredentialJson(AuthenticatorNames.bundled());

  /**
   * @param adminToken {@code admin_token}; only its digest is kept
   * @param publicUrl {@code public_url}, the start of every link handed out
   * @param sessions where a revoked passkey's sessions end at once (other nodes and processes
   *     follow the store's change record, as for {@code credentials revoke})
   * @param failures where failed token checks are counted (this node's memory: a bound on work and
   *     on the trail, not a defence of the token, which is 32+ characters)
   */
  public AdminApi(Vertx vertx, String adminToken, String publicUrl, InviteService invites, RecoveryService recovery,
      UserStore users, PasskeyStore passkeys, AuditLog auditLog, SessionStore sessions, AuditTrail trail,
      RateCounter failures) {
    this.vertx = vertx;
    this.token = new AdminToken(adminToken);
    var url = publicUrl;
    while (url.endsWith("/")) url = url.substring(0, url.length() - 1);
    this.publicUrl = url;
    this.invites = invites;
    this.recovery = recovery;
    this.users = users;
    this.passkeys = passkeys;
    this.auditLog = auditLog;
    this.sessions = sessions;
    this.trail = trail;
    this.failures = failures;
  }

  /** One admin call: its answer, or a failed future (a {@link StepgateException} says which problem). */
  interface Call {
    Future<Answer> apply(Exchange exchange);
  }

  /** What a call answers: a status and a JSON body, or none (204). */
  record Answer(int status, Optional<JsonObject> body) {
    static Answer json(int status, JsonObject body) {
      return new Answer(status, Optional.of(body));
    }

    static final Answer NO_CONTENT = new Answer(204, Optional.empty());
  }

  public void mount(Router router) {
    route(router, HttpMethod.POST, "invites", "invite", this::invite);
    route(router, HttpMethod.POST, "recovery-links", "recovery-link", this::recoveryLink);
    route(router, HttpMethod.GET, "users/:username/credentials", "credentials.list", this::listCredentials);
    route(router, HttpMethod.DELETE, "users/:username/credentials/:credentialId", "credentials.revoke", this::revoke);
    route(router, HttpMethod.PUT, "users/:username/groups/:group", "groups.add", ex -> group(ex, true));
    route(router, HttpMethod.DELETE, "users/:username/groups/:group", "groups.remove", ex -> group(ex, false));
    // Anything else under the prefix: the token first (a caller without it learns nothing), then 404.
    router.route(PREFIX + "*").handler(ctx -> authorize(ctx, "unknown"))
        .handler(ctx -> answer(ctx, exchange -> Future.failedFuture(new Refused(Problems.NOT_FOUND))));
    router.errorHandler(413, ctx -> refusedEarly(ctx, Problems.BODY_TOO_LARGE));
    router.errorHandler(500, ctx -> refusedEarly(ctx, Problems.INTERNAL));
  }

  /** {@code method PREFIX+path}: the token check, the bounded body, then {@code call}; audited as {@code action}. */
  private void route(Router router, HttpMethod method, String path, String action, Call call) {
    // Two routes, as Vert.x wants a route's body handler first: the token check before any body is read.
    router.route(method, PREFIX + path).handler(ctx -> authorize(ctx, action));
    router.route(method, PREFIX + path).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY).setHandleFileUploads(false))
        .handler(ctx -> answer(ctx, call));
  }

  // ---- the calls

  /** {@code POST /admin/api/invites {"username", "ttl"?}}: 201 {@code {"url"}}, an enrollment link. */
  private Future<Answer> invite(Exchange ex) {
    var body = ex.body(LINK_FIELDS);
    var name = ex.username(requiredString(body, "username"));
    var ttl = ttl(body, INVITE_TTL);
    // The invite may be for someone with no account yet; the trail names the account when there is one.
    return on(users.byUsername(name)).compose(user -> {
      user.ifPresent(ex::user);
      return on(invites.createInvite(name, ttl));
    }).map(t -> Answer.json(201, new JsonObject().put("url", publicUrl + "/.stepgate/register?invite=" + t)));
  }

  /** {@code POST /admin/api/recovery-links {"username", "ttl"?}}: 201 {@code {"url"}}; unknown user 404. */
  private Future<Answer> recoveryLink(Exchange ex) {
    var body = ex.body(LINK_FIELDS);
    var name = ex.username(requiredString(body, "username"));
    var ttl = ttl(body, RECOVERY_TTL);
    return existing(ex, name).compose(user -> on(recovery.issueLink(user.username(), ttl, e -> e.with("by", "admin-api"))))
        .map(t -> Answer.json(201, new JsonObject().put("url", publicUrl + "/.stepgate/recover?token=" + t)));
  }

  /** {@code GET /admin/api/users/{username}/credentials}: as {@code GET /.stepgate/api/credentials}. */
  private Future<Answer> listCredentials(Exchange ex) {
    var name = ex.username(ex.ctx.pathParam("username"));
    return existing(ex, name).compose(user -> on(passkeys.ofUser(user.id())))
        .map(list -> Answer.json(200, credentialJson.list(list)));
  }

  /**
   * {@code DELETE /admin/api/users/{username}/credentials/{id}}: 204. The store deletes the passkey
   * and appends the revocation to its change record in one transaction (every node and process on
   * the store ends its sessions within a second); this node ends them before answering.
   */
  private Future<Answer> revoke(Exchange ex) {
    var name = ex.username(ex.ctx.pathParam("username"));
    var id = CredentialId.parse(ex.ctx.pathParam("credentialId"));
    return existing(ex, name).compose(user -> on(passkeys.revoke(user.id(), id.bytes())).compose(revoked -> {
      if (!revoked) return Future.failedFuture(new Refused(Problems.PASSKEY_NOT_FOUND));
      trail.emit(ex.entry("passkey_revoked").user(user.id()).with("credential", id.base64url()).with("by", "admin-api"));
      return on(auditLog.record("credential-revoked", Optional.of(user.id()), "credential=" + id + " by=admin-api"))
          .compose(done -> on(sessions.endSessionsOfCredential(user.id(), id)));
    })).map(done -> Answer.NO_CONTENT);
  }

  /**
   * {@code PUT} / {@code DELETE /admin/api/users/{username}/groups/{group}}: 204 whether or not it
   * changed anything (PUT and DELETE are idempotent); a change holds on every node within 1 s, as
   * {@code users add-group} does (the store's change record).
   */
  private Future<Answer> group(Exchange ex, boolean add) {
    var name = ex.username(ex.ctx.pathParam("username"));
    var group = ex.ctx.pathParam("group");
    var bad = dev.stepgate.GroupNames.problem(group);
    if (bad.isPresent()) return Future.failedFuture(new Refused(Problems.rejected("group-invalid", 400, "Not a group name: " + bad.get() + ".")));
    return existing(ex, name).compose(user -> on(add ? users.addGroup(user.id(), group) : users.removeGroup(user.id(), group))
        .recover(err -> dev.stepgate.Async.cause(err) instanceof dev.stepgate.credential.CredentialException e && e.status() < 500
            ? Future.failedFuture(new Refused(Problems.rejected(e.type(), e.status(), e.getMessage()))) : Future.failedFuture(err))
        .map(changed -> Answer.NO_CONTENT)); // the call itself is the admin_action line
  }

  /** The user named {@code name}, recorded as the call's target; 404 {@code unknown-user} if there is none. */
  private Future<User> existing(Exchange ex, String name) {
    return on(users.byUsername(name)).compose(user -> {
      if (user.isEmpty()) return Future.failedFuture(new Refused(Problems.UNKNOWN_USER));
      ex.user(user.get());
      return Future.succeededFuture(user.get());
    });
  }

  /**
   * {@code ttl} of {@code body}: a whole number and a unit ({@code 30m}, {@code 12h}, {@code 7d}),
   * {@link #MIN_TTL} to {@link #MAX_TTL}; {@code fallback} when absent.
   */
  static Duration ttl(JsonObject body, Duration fallback) {
    if (!body.containsKey("ttl")) return fallback;
    var bad = new Refused(Problems.rejected("invalid-request", 400,
        "The field \"ttl\" must be a duration like 30m, 12h or 7d, from 1m to 30d."));
    if (!(body.getValue("ttl") instanceof String raw)) throw bad;
    var m = TTL.matcher(raw);
    if (!m.matches()) throw bad;
    long n = Long.parseLong(m.group(1));
    var ttl = switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) throw bad;
    return ttl;
  }

  private static String requiredString(JsonObject body, String key) {
    if (!(body.getValue(key) instanceof String s) || s.isBlank())
      throw new StepgateException("invalid-request", 400, "The field \"" + key + "\" must be a non-empty string.");
    return s;
  }

  // ---- plumbing

  /**
   * The token check, before the body is read: cheap (one SHA-256) and audited. The right token
   * goes on to the call; anything else gets 401 ({@code WWW-Authenticate: Bearer}), or 429 past
   * {@link #FAILED_AUTH}.
   */
  private void authorize(RoutingContext ctx, String action) {
    var requestId = RequestIds.generate();
    ctx.put(ACTION, action);
    ctx.put(REQUEST_ID, requestId);
    ctx.response().putHeader(RequestIds.HEADER, requestId);
    var header = ctx.request().getHeader("Authorization");
    if (token.matches(header)) {
      ctx.next();
      return;
    }
    var client = clientAddress(ctx);
    on(failures.hit("admin-auth:" + client, FAILED_AUTH)).onComplete(ar -> {
      if (ar.succeeded() && !ar.result().allowed()) {
        on(failures.hit("admin-auth-audit:" + client, LIMITED_AUDIT)).onComplete(audit -> {
          if (audit.succeeded() && audit.result().allowed()) emit(ctx, new Exchange(ctx), 429, Problems.RATE_LIMITED.type());
        });
        Responder.sendJson(ctx.request(), Problems.rateLimited(ar.result().retryAfter()));
        return;
      }
      // A counter that cannot answer changes nothing: the call is refused either way.
      emit(ctx, new Exchange(ctx), 401, Problems.ADMIN_TOKEN_REQUIRED.type());
      // RFC 6750 §3.1: a token was presented and is not the right one, or none was.
      boolean presented = header != null && header.regionMatches(true, 0, "bearer ", 0, 7);
      ctx.response().putHeader("WWW-Authenticate", presented ? REALM + ", error=\"invalid_token\"" : REALM);
      Responder.sendJson(ctx.request(), Problems.ADMIN_TOKEN_REQUIRED);
    });
  }

  /** Runs {@code call} for an authorized request, writes its answer and audits it. */
  private void answer(RoutingContext ctx, Call call) {
    var exchange = new Exchange(ctx);
    Future<Answer> answer;
    try {
      answer = call.apply(exchange);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(ar -> {
      if (ctx.response().ended()) return;
      if (ar.succeeded()) {
        var a = ar.result();
        emit(ctx, exchange, a.status(), null);
        var resp = ctx.response().setStatusCode(a.status()).putHeader("Cache-Control", "no-store");
        if (a.body().isPresent()) resp.putHeader("Content-Type", "application/json").end(a.body().get().encode());
        else resp.end();
        return;
      }
      var problem = problem(ctx, ar.cause());
      emit(ctx, exchange, problem.status(), problem.type());
      Responder.sendJson(ctx.request(), problem);
    });
  }

  /** A refusal before the call ran (the body was too large): answered and audited. */
  private void refusedEarly(RoutingContext ctx, Problem problem) {
    if (ctx.get(ACTION) != null) emit(ctx, new Exchange(ctx), problem.status(), problem.type());
    Responder.sendJson(ctx.request(), problem);
  }

  private Problem problem(RoutingContext ctx, Throwable failure) {
    var err = Async.cause(failure);
    if (err instanceof Refused r) return r.problem;
    if (err instanceof StepgateException s && s.status() < 500) return Problems.of(s);
    // A store that cannot answer (or a bug): 503, logged once per window with the request id.
    String requestId = ctx.get(REQUEST_ID);
    logged.answered503("admin API " + ctx.get(ACTION), err, requestId);
    return Problems.UNAVAILABLE.with(Problems.REQUEST_ID, requestId);
  }

  /** The call's {@code admin_action} line; {@code reason} is the problem type of a refusal (null: answered). */
  private void emit(RoutingContext ctx, Exchange ex, int status, String reason) {
    var outcome = status < 400 ? "ok" : status < 500 ? "refused" : "failed";
    trail.emit(ex.entry("admin_action").user(ex.userId).with("action", ctx.get(ACTION)).with("target", ex.target)
        .with("via", "api").with("outcome", outcome).with("reason", reason));
  }

  /** The peer: the admin listener is reached directly, never through the public proxy's trusted_proxies. */
  private static String clientAddress(RoutingContext ctx) {
    var remote = ctx.request().remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }

  /** A store's answer as a Vert.x future completed on this request's context. */
  private <T> Future<T> on(CompletionStage<T> stage) {
    return Future.fromCompletionStage(Async.attempt(() -> stage), vertx.getOrCreateContext());
  }

  /** One authorized request in progress: its body, and the user it concerns once known (for the trail). */
  static final class Exchange {
    final RoutingContext ctx;
    private String target;
    private String userId;

    Exchange(RoutingContext ctx) {
      this.ctx = ctx;
    }

    /** The body: one JSON object of {@code application/json} with no fields but {@code allowed}. */
    JsonObject body(Set<String> allowed) {
      var type = ctx.request().getHeader("Content-Type");
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json"))
        throw new Refused(Problems.UNSUPPORTED_MEDIA_TYPE);
      var raw = ctx.body() == null ? null : ctx.body().buffer();
      JsonObject body;
      try {
        body = raw == null || raw.length() == 0 ? null : new JsonObject(raw);
      } catch (DecodeException | ClassCastException e) {
        body = null;
      }
      if (body == null) throw new StepgateException("invalid-request", 400, "The request body is not a JSON object.");
      if (!allowed.containsAll(body.fieldNames()))
        throw new StepgateException("invalid-request", 400,
            "The request body may only have the fields " + String.join(", ", new java.util.TreeSet<>(allowed)) + ".");
      return body;
    }

    /** {@code raw} normalized as a username (credential.Usernames), recorded as the target; 400 if it cannot be one. */
    String username(String raw) {
      try {
        target = dev.stepgate.credential.Usernames.normalize(raw);
        return target;
      } catch (IllegalArgumentException e) {
        throw new StepgateException("invalid-request", 400, "Invalid username: " + e.getMessage() + ".");
      }
    }

    void user(User user) {
      target = user.username();
      userId = user.id();
    }

    /** An audit entry for this request: its id and the client's address. */
    AuditEntry entry(String event) {
      return AuditEntry.of(event).request(ctx.get(REQUEST_ID), clientAddress(ctx), null);
    }
  }

  /** A catalogued answer raised as an error, so that a future can fail with it. */
  static final class Refused extends StepgateException {
    private static final long serialVersionUID = 1L;
    final transient Problem problem;

    Refused(Problem problem) {
      super(problem.type(), problem.status(), problem.detail());
      this.problem = problem;
    }
  }
}
