package dev.stepgate.ui;

import dev.stepgate.Async;
import dev.stepgate.StepgateException;
import dev.stepgate.admission.Problem;
import dev.stepgate.admission.Problems;
import dev.stepgate.audit.AuditEntry;
import dev.stepgate.audit.AuditTrail;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.PasskeyStore;
import dev.stepgate.observe.LogThrottle;
import dev.stepgate.proxy.HeaderHygiene;
import dev.stepgate.proxy.RequestIds;
import dev.stepgate.proxy.Responder;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionIds;
import dev.stepgate.session.SessionStore;
import dev.stepgate.session.SessionSummary;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * The account page's own calls (SPEC section 4): the signed-in user's passkeys (list, rename)
 * and sessions (list, end one, end all others). Only ever the caller's own: another user's
 * passkey or session answers exactly as one that does not exist. Sessions are named by a handle
 * ({@link SessionIds#handle}), never by their id, which is a bearer secret.
 *
 * <p>Mounted after {@link PasskeyApi}, whose handlers for every {@code /.stepgate/api/*} call
 * (body limit, same-origin JSON check, session lookup) run first. Renaming a passkey and ending
 * a session need no step-up: neither gives a thief anything (ending sessions is what a victim does
 * against one), and both are audited.
 */
public final class AccountApi {
  private static final Logger LOG = Logger.getLogger(AccountApi.class.getName());

  private final LogThrottle failures = new LogThrottle(LOG, LogThrottle.FAILURE_WINDOW);
  private final Vertx vertx;
  private final PasskeyStore credentials;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final CredentialJson credentialJson;
  private final AuditTrail trail;
  private final HeaderHygiene hygiene;

  /**
   * @param trail where {@code passkey_renamed} and {@code session_ended} go
   * @param hygiene whose {@code trusted_proxies} decide which address a call comes from (for the trail)
   */
  public AccountApi(Vertx vertx, PasskeyStore credentials, SessionStore sessions, SessionCookie cookie, AuditTrail trail,
      HeaderHygiene hygiene) {
    this(vertx, credentials, sessions, cookie, AuthenticatorNames.bundled(), trail, hygiene);
  }

  AccountApi(Vertx vertx, PasskeyStore credentials, SessionStore sessions, SessionCookie cookie, AuthenticatorNames names,
      AuditTrail trail, HeaderHygiene hygiene) {
    this.vertx = vertx;
    this.credentials = credentials;
    this.sessions = sessions;
    this.cookie = cookie;
    this.credentialJson = new CredentialJson(names);
    this.trail = trail;
    this.hygiene = hygiene;
  }

  /** One of these calls, for the signed-in caller. */
  private interface Call {
    Future<JsonObject> apply(RoutingContext ctx, Session session, JsonObject body);
  }

  public void mount(Router router) {
    var api = "/.stepgate/api/";
    router.get(api + "credentials").handler(ctx -> answer(ctx, this::listCredentials));
    router.post(api + "credentials/rename").handler(ctx -> answer(ctx, this::rename));
    router.get(api + "sessions").handler(ctx -> answer(ctx, this::listSessions));
    router.post(api + "sessions/end").handler(ctx -> answer(ctx, this::endSession));
  }

  private Future<JsonObject> listCredentials(RoutingContext ctx, Session session, JsonObject body) {
    return on(credentials.ofUser(session.userId())).map(credentialJson::list);
  }

  private Future<JsonObject> rename(RoutingContext ctx, Session session, JsonObject body) {
    var id = CredentialId.parse(requiredString(body, "credentialId"));
    if (!(body.getValue("label") instanceof String raw))
      throw new StepgateException("invalid-request", 400, "The field \"label\" must be a string.");
    String label;
    try {
      label = PasskeyStore.checkedLabel(raw); // invalid-label answers as catalogued (Problems.LABEL_INVALID)
    } catch (StepgateException e) {
      refused(ctx, session, "rename", id, e);
      throw e;
    }
    return on(credentials.rename(session.userId(), id.bytes(), label)).compose(renamed -> {
      // Another user's passkey reads exactly as an unknown one.
      if (!renamed) return Future.failedFuture(new Refused(Problems.PASSKEY_NOT_FOUND));
      return Future.succeededFuture(new JsonObject().put("status", "ok"));
    }).andThen(ar -> {
      if (ar.succeeded()) trail.emit(entry(ctx, "passkey_renamed", session).with("credential", id.base64url()));
      else refused(ctx, session, "rename", id, ar.cause());
    });
  }

  /**
   * A refused change to the account (a bad name, another user's passkey): {@code
   * account_change_refused} with what was tried and why; nothing was changed.
   */
  private void refused(RoutingContext ctx, Session session, String action, CredentialId id, Throwable why) {
    var err = dev.stepgate.Async.cause(why);
    trail.emit(entry(ctx, "account_change_refused", session).with("action", action)
        .with("credential", id == null ? null : id.base64url())
        .with("reason", err instanceof StepgateException e ? e.type() : "unavailable"));
  }

  private Future<JsonObject> listSessions(RoutingContext ctx, Session session, JsonObject body) {
    var current = SessionIds.handle(session.id());
    return on(sessions.ofUser(session.userId())).map(list -> {
      var out = new JsonArray();
      for (var s : list) out.add(sessionJson(s, s.handle().equals(current)));
      return new JsonObject().put("sessions", out);
    });
  }

  private static JsonObject sessionJson(SessionSummary s, boolean current) {
    return new JsonObject().put("id", s.handle())
        .put("platform", s.device().platform().isEmpty() ? null : s.device().platform())
        .put("browser", s.device().browser().isEmpty() ? null : s.device().browser())
        .put("signedInAt", s.signedInAt().getEpochSecond()).put("lastSeenAt", s.lastSeenAt().getEpochSecond())
        .put("credentialId", s.credentialId()).put("current", current);
  }

  private Future<JsonObject> endSession(RoutingContext ctx, Session session, JsonObject body) {
    var ok = new JsonObject().put("status", "ok");
    if (Boolean.TRUE.equals(body.getValue("others"))) {
      return on(sessions.endOthersOf(session.userId(), session.id())).map(v -> {
        trail.emit(entry(ctx, "session_ended", session).with("ended", "others"));
        return ok;
      });
    }
    var handle = requiredString(body, "session");
    var own = handle.equals(SessionIds.handle(session.id()));
    return on(sessions.endByHandle(session.userId(), handle)).compose(ended -> {
      if (!ended) {
        refused(ctx, session, "end-session", null, new Refused(Problems.SESSION_NOT_FOUND));
        return Future.failedFuture(new Refused(Problems.SESSION_NOT_FOUND));
      }
      trail.emit(entry(ctx, "session_ended", session).with("ended", own ? "current" : handle));
      if (own) ctx.response().putHeader("Set-Cookie", cookie.clear()); // signed itself out: the browser forgets it too
      return Future.succeededFuture(ok);
    });
  }

  // ---- plumbing ----

  /** An audit entry for {@code session}'s owner: its sid (a hash), the client's address and platform; never a cookie. */
  private AuditEntry entry(RoutingContext ctx, String event, Session session) {
    return dev.stepgate.proxy.AuditContext.of(event, ctx.request(), hygiene).user(session.userId()).session(session.id());
  }

  /**
   * Runs {@code handler} for the signed-in caller and writes its answer: JSON, or problem JSON
   * with a stable type (never a stack trace). Without a session: {@code login-required}.
   */
  private void answer(RoutingContext ctx, Call handler) {
    var session = SessionLookup.of(ctx);
    if (session.isEmpty()) {
      send(ctx, Problems.LOGIN_REQUIRED);
      return;
    }
    Future<JsonObject> answer;
    try {
      var raw = ctx.body() == null ? null : ctx.body().buffer();
      var body = raw == null || raw.length() == 0 ? new JsonObject() : new JsonObject(raw);
      answer = handler.apply(ctx, session.get(), body);
    } catch (DecodeException | ClassCastException e) {
      answer = Future.failedFuture(new StepgateException("invalid-request", 400, "The request body is not a JSON object."));
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onSuccess(out -> ctx.response().putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store").end(out.encode()))
        .onFailure(err -> failed(ctx, err));
  }

  private void failed(RoutingContext ctx, Throwable failure) {
    if (ctx.response().ended()) return;
    var err = Async.cause(failure);
    if (err instanceof Refused r) {
      send(ctx, r.problem);
      return;
    }
    if (err instanceof StepgateException s && s.status() < 500) {
      send(ctx, Problems.of(s));
      return;
    }
    // A store that cannot answer (or a bug): 503, logged once per window with the request id it carries.
    var requestId = RequestIds.generate();
    failures.answered503("account API " + ctx.request().path(), err, requestId);
    send(ctx, Problems.UNAVAILABLE.with(Problems.REQUEST_ID, requestId));
  }

  private static void send(RoutingContext ctx, Problem problem) {
    Responder.sendJson(ctx.request(), problem);
  }

  /** A store's answer as a Vert.x future completed on this request's context. */
  private <T> Future<T> on(CompletionStage<T> stage) {
    return Future.fromCompletionStage(Async.attempt(() -> stage), vertx.getOrCreateContext());
  }

  private static String requiredString(JsonObject body, String key) {
    var v = body.getValue(key);
    if (!(v instanceof String s) || s.isBlank())
      throw new StepgateException("invalid-request", 400, "The field \"" + key + "\" must be a non-empty string.");
    return s;
  }

  /** A catalogued answer raised as an error, so that a future can fail with it. */
  private static final class Refused extends StepgateException {
    private static final long serialVersionUID = 1L;
    final transient Problem problem;

    Refused(Problem problem) {
      super(problem.type(), problem.status(), problem.detail());
      this.problem = problem;
    }
  }
}
