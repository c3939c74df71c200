package dev.stepgate.ui;

import dev.stepgate.Async;
import dev.stepgate.observe.CeremonyMetrics.Kind;
import dev.stepgate.observe.CeremonyMetrics.Outcome;
import dev.stepgate.observe.Funnel;
import dev.stepgate.observe.LogThrottle;
import dev.stepgate.observe.Platform;
import dev.stepgate.observe.StoreErrors;
import dev.stepgate.StepgateException;
import dev.stepgate.credential.AuditLog;
import dev.stepgate.credential.CredentialId;
import dev.stepgate.credential.PasskeyStore;
import dev.stepgate.passkey.Authenticated;
import dev.stepgate.passkey.CeremonyStart;
import dev.stepgate.passkey.PasskeyService;
import dev.stepgate.passkey.RecoveryService;
import dev.stepgate.passkey.RegistrationMode;
import dev.stepgate.audit.AuditEntry;
import dev.stepgate.credential.PasskeyStore.Revoked;
import dev.stepgate.admission.Problem;
import dev.stepgate.admission.Problems;
import dev.stepgate.proxy.HeaderHygiene;
import dev.stepgate.proxy.Responder;
import dev.stepgate.ratelimit.Limiter;
import dev.stepgate.ratelimit.Limiter.Endpoint;
import dev.stepgate.stepup.AccountAction;
import dev.stepgate.stepup.AccountStepUps;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionIds;
import dev.stepgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The JSON API the pages use (SPEC section 4). State-changing calls need a JSON body and a
 * same-origin {@code Origin}; errors are problem JSON with a stable type. Store and WebAuthn work
 * runs on worker threads, never on the event loop.
 *
 * <p>A session alone never changes its account's passkeys: adding one to an existing account and
 * revoking one each need a fresh step-up made for that action ({@link AccountAction}), checked when
 * the ceremony starts and spent when it finishes. Enrolling the first passkey of a new account
 * needs none.
 */
public final class PasskeyApi {
  private static final Logger LOG = Logger.getLogger(PasskeyApi.class.getName());
  private static final LogThrottle UNAVAILABLE_LOG = new LogThrottle(LOG, Duration.ofSeconds(10));
  private static final int MAX_BODY = 64 * 1024;

  /** What a successful step-up may hand back: where the browser goes next. */
  public interface StepUpFollowUp {
    /**
     * After the session {@code oldId} stepped up and became {@code session}: the URL to resume
     * (a held request, or {@code rd}), or a refusal message when the passkey used does not
     * qualify for that request's rule.
     */
    CompletionStage<Result> after(String oldId, Session session, Optional<String> held, Optional<String> rd);

    /**
     * The rule this step-up confirms: the held request's (decided server-side), else the rule
     * the prompt showed, if it names a rule of the policy.
     */
    CompletionStage<Optional<String>> ruleFor(String sessionId, Optional<String> held, Optional<String> rule);

    record Result(Optional<String> resume, Optional<String> refusal) {}
  }

  private final Vertx vertx;
  private final PasskeyService passkeys;
  private final PasskeyStore credentials;
  private final AuditLog auditLog;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final Set<String> origins;
  private final RegistrationMode mode;
  private final StepUpFollowUp followUp;
  private final AccountStepUps accountStepUps;
  private final Clock clock;
  private final Limiter limiter;
  private final HeaderHygiene hygiene;
  private final Funnel funnel;
  private final dev.stepgate.audit.AuditTrail trail;
  private final RecoveryService recovery;
  private Optional<BoltOn> boltOn = Optional.empty();

  /**
   * @param limiter the rate limits every ceremony call passes first (SPEC section 9)
   * @param hygiene whose {@code trusted_proxies} decide which address a call comes from
   * @param funnel where each verify call's outcome is counted, with the caller's platform
   */
  public PasskeyApi(Vertx vertx, PasskeyService passkeys, PasskeyStore credentials, AuditLog auditLog, SessionStore sessions,
      SessionCookie cookie, Set<String> origins, RegistrationMode mode, StepUpFollowUp followUp,
      AccountStepUps accountStepUps, Clock clock, Limiter limiter, HeaderHygiene hygiene, Funnel funnel,
      dev.stepgate.audit.AuditTrail trail, RecoveryService recovery) {
    this.trail = trail;
    this.recovery = recovery;
    this.limiter = limiter;
    this.hygiene = hygiene;
    this.funnel = funnel;
    this.vertx = vertx;
    this.passkeys = passkeys;
    this.credentials = credentials;
    this.auditLog = auditLog;
    this.sessions = sessions;
    this.cookie = cookie;
    this.origins = Set.copyOf(origins);
    this.mode = mode;
    this.followUp = followUp;
    this.accountStepUps = accountStepUps;
    this.clock = clock;
  }

  /**
   * Bolt-on mode (SPEC section 8): the caller is the app user the app's session names; their first
   * passkey follows {@code first_enrollment}; no gateway sign-in or account creation of its own.
   * Call before {@link #mount}.
   */
  public PasskeyApi boltOn(Optional<BoltOn> settings) {
    this.boltOn = settings;
    return this;
  }

  public void mount(Router router) {
    var api = "/.stepgate/api/";
    router.post(api + "*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY).setHandleFileUploads(false));
    router.post(api + "*").handler(this::sameOriginJson);
    router.route(api + "*").handler(new SessionLookup(cookie, sessions, boltOn));
    // Every ceremony call is counted (SPEC section 9) before it does any work: a refused call costs a counter hit.
    // A verify call's outcome is counted in the funnel, refusals by the limits too (rate_limited).
    router.post(api + "registration/options").handler(ctx -> json(ctx,
        limited(Endpoint.REGISTRATION_OPTIONS, PasskeyApi::usernameOf, limited(Endpoint.INVITE, PasskeyApi::invitedUsername,
            this::registrationOptions))));
    router.post(api + "registration/verify").handler(ctx -> ceremony(ctx, Kind.REGISTRATION,
        limited(Endpoint.REGISTRATION_VERIFY, PasskeyApi::signedInAccount, this::registrationVerify)));
    router.post(api + "login/options").handler(ctx -> json(ctx,
        limited(Endpoint.LOGIN_OPTIONS, PasskeyApi::usernameOf, this::loginOptions)));
    router.post(api + "login/verify").handler(ctx -> ceremony(ctx, Kind.LOGIN,
        limited(Endpoint.LOGIN_VERIFY, (c, b) -> Optional.empty(), this::loginVerify)));
    router.post(api + "step-up/options").handler(ctx -> json(ctx,
        limited(Endpoint.STEP_UP_OPTIONS, PasskeyApi::signedInAccount, this::stepUpOptions)));
    router.post(api + "step-up/verify").handler(ctx -> ceremony(ctx, Kind.STEP_UP,
        limited(Endpoint.STEP_UP_VERIFY, PasskeyApi::signedInAccount, this::stepUpVerify)));
    router.post(api + "recovery/verify").handler(ctx -> ceremony(ctx, Kind.RECOVERY,
        limited(Endpoint.RECOVERY, PasskeyApi::usernameOf, this::recoveryVerify)));
    router.post(api + "recovery/codes").handler(ctx -> json(ctx, this::recoveryCodes));
    router.post(api + "credentials/revoke").handler(ctx -> json(ctx, this::revoke));
    router.post(api + "logout").handler(ctx -> json(ctx, this::logout));
    router.get(api + "session").handler(this::session);
  }

  // CSRF defence: a cross-site form cannot send application/json, and browsers always send
  // Origin on a fetch POST; both must hold.
  private void sameOriginJson(RoutingContext ctx) {
    var type = ctx.request().getHeader("Content-Type");
    var origin = ctx.request().getHeader("Origin");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      send(ctx, Problems.UNSUPPORTED_MEDIA_TYPE);
      return;
    }
    if (origin == null || !origins.contains(origin.toLowerCase(Locale.ROOT))) {
      send(ctx, Problems.CROSS_ORIGIN);
      return;
    }
    ctx.next();
  }

  private Future<JsonObject> registrationOptions(RoutingContext ctx, JsonObject body) {
    if (boltOn.isPresent()) return appRegistrationOptions(ctx, body, boltOn.get());
    if (currentSession(ctx).isEmpty() && recoverySession(ctx).isPresent()) body = body.copy().put("username", "-");
    var username = requiredString(body, "username");
    var displayName = optionalString(body, "displayName");
    var invite = optionalString(body, "invite");
    var current = currentSession(ctx);
    var recovering = current.isEmpty() ? recoverySession(ctx) : Optional.<Session>empty();
    if (recovering.isPresent()) {
      // A recovery session may do exactly this, for its own account, with no step-up (it has no passkey to step up with).
      var r = recovering.get();
      return async(() -> passkeys.startRegistration(r.username(), Optional.empty(), Optional.empty(), Optional.of(r.userId()), mode))
          .map(PasskeyApi::start);
    }
    // Signed in, a registration can only add a passkey to this account: that needs the step-up.
    current.ifPresent(s -> requireFresh(s, AccountAction.ADD_PASSKEY));
    var userId = current.map(Session::userId);
    return async(() -> passkeys.startRegistration(username, displayName, invite, userId, mode)).map(PasskeyApi::start);
  }

  /**
   * Bolt-on mode: a passkey only for the app user the app session names (the body's username is
   * not asked). Their first one per {@code first_enrollment}; later ones after a step-up with one
   * they have, as in gateway mode.
   */
  private Future<JsonObject> appRegistrationOptions(RoutingContext ctx, JsonObject body, BoltOn app) {
    var caller = currentSession(ctx).orElseThrow(() -> problemError(Problems.APP_LOGIN_REQUIRED));
    var invite = optionalString(body, "invite");
    return async(() -> credentials.ofUser(caller.userId())).compose(existing -> {
      if (existing.isEmpty())
        return async(() -> passkeys.startFirstEnrollment(caller.username(), caller.userId(), invite, app.inviteRequired()));
      requireFresh(caller, AccountAction.ADD_PASSKEY);
      return async(() -> passkeys.startRegistration(caller.username(), Optional.empty(), Optional.empty(),
          Optional.of(caller.userId()), RegistrationMode.CLOSED));
    }).map(PasskeyApi::start);
  }

  /** Bolt-on mode: the passkey joins the app user's account; no gateway session is made (the app's session stays the sign-in). */
  private Future<JsonObject> appRegistrationVerify(RoutingContext ctx, JsonObject body) {
    var caller = currentSession(ctx).orElseThrow(() -> problemError(Problems.APP_LOGIN_REQUIRED));
    var ceremony = requiredString(body, "ceremonyId");
    var credential = requiredObject(body, "credential");
    var label = optionalString(body, "label").filter(l -> !l.isBlank()).map(dev.stepgate.credential.PasskeyStore::checkedLabel);
    // A first passkey needs no step-up (there is nothing to step up with); any later one spends a fresh one.
    Future<Void> spent = async(() -> credentials.ofUser(caller.userId()))
        .compose(existing -> existing.isEmpty() ? Future.<Void>succeededFuture() : spend(caller, AccountAction.ADD_PASSKEY));
    return spent.compose(v -> async(() -> passkeys.finishRegistration(ceremony, credential.encode(), label,
            Optional.of(caller.userId()), Optional.empty())))
        .map(registered -> {
          audit("passkey-registered", registered.user().id(), registered.newUser() ? "first passkey of an app user" : "added passkey");
          trail.emit(entry(ctx, "passkey_added").user(registered.user().id()).session(caller.id())
              .with("credential", registered.credential().credentialIdBase64()).with("new_user", Boolean.toString(registered.newUser()))
              .with("first_enrollment", registered.newUser() ? boltOn.get().firstEnrollment() : null));
          return new JsonObject().put("status", "ok");
        });
  }

  private Future<JsonObject> registrationVerify(RoutingContext ctx, JsonObject body) {
    if (boltOn.isPresent()) return appRegistrationVerify(ctx, body);
    var ceremony = requiredString(body, "ceremonyId");
    var credential = requiredObject(body, "credential");
    // The label obeys the rename rules (invalid-label, 400), checked before the ceremony is spent.
    var label = optionalString(body, "label").filter(l -> !l.isBlank()).map(dev.stepgate.credential.PasskeyStore::checkedLabel);
    var current = currentSession(ctx);
    var recovering = current.isEmpty() ? recoverySession(ctx) : Optional.<Session>empty();
    // The ceremony began with a fresh step-up; it must still be fresh now, and is used up here.
    // A recovery session needs none: it may enroll exactly one passkey, and then it ends.
    Future<Void> spent = current.isPresent() ? spend(current.get(), AccountAction.ADD_PASSKEY)
        : recovering.isPresent() ? spendRecovery(recovering.get()) : Future.<Void>succeededFuture();
    var signedIn = current.map(Session::userId).or(() -> recovering.map(Session::userId));
    var recoveredAt = recovering.map(Session::createdAt);
    return spent.compose(v -> async(() -> passkeys.finishRegistration(ceremony, credential.encode(), label, signedIn, recoveredAt)))
        .compose(registered -> {
          Future<Void> created = Future.succeededFuture();
          if (current.isEmpty()) {
            var c = registered.credential();
            var now = clock.instant();
            var session = new Session(SessionIds.next(), registered.user().id(), registered.user().username(), now,
                b64(c.credentialId()), c.backupEligible(), c.uvInitialized(), Optional.empty(), now)
                .withDevice(Devices.fromUserAgent(ctx.request().getHeader("User-Agent")));
            // The recovery session ends as the normal one begins: it has done its one thing.
            var ended = recovering.map(r -> sessions.end(r.id()))
                .orElse(java.util.concurrent.CompletableFuture.completedFuture(null));
            // The cookie goes out only once the session exists (a shared store answers later, or fails: 503).
            created = Future.fromCompletionStage(sessions.create(session).thenCombine(ended, (x, y) -> (Void) null),
                    vertx.getOrCreateContext())
                .map(v -> {
                  ctx.response().putHeader("Set-Cookie", cookie.set(session.id()));
                  return null;
                });
          }
          // A new account gets its recovery codes now, shown once (SPEC section 4).
          Future<Optional<java.util.List<String>>> codes = registered.newUser()
              ? async(() -> recovery.issueCodes(registered.user().id(), e -> context(ctx, e))).map(Optional::of)
              : Future.succeededFuture(Optional.empty());
          return created.compose(v -> codes).map(issued -> {
            audit("passkey-registered", registered.user().id(), registered.newUser() ? "new user"
                : recovering.isPresent() ? "added passkey in a recovery session" : "added passkey");
            trail.emit(entry(ctx, "passkey_added").user(registered.user().id()).session(current.map(Session::id).orElse(null))
                .with("credential", registered.credential().credentialIdBase64()).with("new_user", Boolean.toString(registered.newUser()))
                .with("via_recovery", recovering.isPresent() ? "true" : null));
            var out = new JsonObject().put("status", "ok");
            issued.ifPresent(list -> out.put("recoveryCodes", new io.vertx.core.json.JsonArray(list)));
            return out;
          });
        });
  }

  /**
   * {@code recovery/verify}: a recovery code (with its username) or a recovery link's token opens
   * a recovery session, which can only enroll a passkey ({@link Session#recovery()}). Every
   * failure is the same {@code recovery-failed}.
   */
  private Future<JsonObject> recoveryVerify(RoutingContext ctx, JsonObject body) {
    var token = optionalString(body, "token");
    var method = token.isPresent() ? RecoveryService.Method.LINK : RecoveryService.Method.CODE;
    java.util.function.UnaryOperator<AuditEntry> context = e -> context(ctx, e);
    Future<Optional<dev.stepgate.credential.User>> verified = token.isPresent()
        ? async(() -> recovery.verifyLink(token.get(), context))
        : async(() -> recovery.verifyCode(requiredString(body, "username"), requiredString(body, "code"), context));
    var previous = cookie.read(ctx.request().getHeader("Cookie"));
    return verified.compose(user -> {
      if (user.isEmpty()) return Future.<JsonObject>failedFuture(problemError(Problems.RECOVERY_FAILED));
      var u = user.get();
      var session = Session.recovery(SessionIds.next(), u.id(), u.username(), clock.instant());
      var ended = previous.map(sessions::end).orElse(java.util.concurrent.CompletableFuture.completedFuture(null));
      // Optionally every other session of the user ends first (account.recovery_ends_sessions).
      java.util.concurrent.CompletionStage<Void> others = !recovery.endsSessions()
          ? java.util.concurrent.CompletableFuture.completedFuture(null)
          : sessions.endSessionsOf(u.id()).thenRun(() -> trail.emit(entry(ctx, "sessions_ended").user(u.id())
              .with("reason", "recovery")));
      return Future.fromCompletionStage(others.thenCompose(o -> sessions.create(session)).thenCombine(ended, (x, y) -> (Void) null),
          vertx.getOrCreateContext()).map(v -> {
            ctx.response().putHeader("Set-Cookie", cookie.set(session.id()));
            audit("recovery-session", u.id(), "by " + method.label());
            return new JsonObject().put("status", "ok").put("user", u.username())
                .put("expiresIn", Session.RECOVERY_LIFETIME.toSeconds());
          });
    }).andThen(ar -> funnel.ceremonies().recovery(method.label(), ar.succeeded() ? "ok" : recoveryOutcome(ar.cause())));
  }

  private static String recoveryOutcome(Throwable failure) {
    var err = Async.cause(failure);
    if (err instanceof StepgateException s && s.status() == 429) return "rate_limited";
    if (err instanceof StepgateException s && s.status() < 500) return "failed";
    return "unavailable";
  }

  /** {@code recovery/codes}: a new set of recovery codes, after a fresh step-up; the previous set stops working. */
  private Future<JsonObject> recoveryCodes(RoutingContext ctx, JsonObject body) {
    var session = requireSession(ctx);
    return spend(session, AccountAction.RENEW_RECOVERY_CODES)
        .compose(v -> async(() -> recovery.issueCodes(session.userId(), e -> context(ctx, e).session(session.id()))))
        .map(codes -> new JsonObject().put("recoveryCodes", new io.vertx.core.json.JsonArray(codes)));
  }

  /** Spends the recovery session's one enrollment (compare-and-set), or refuses: it was spent, or has ended. */
  private Future<Void> spendRecovery(Session r) {
    return Future.fromCompletionStage(sessions.consumeStepUp(r.id(), Session.RECOVERY_ENROLLMENT, r.createdAt()),
        vertx.getOrCreateContext()).compose(won -> won.isPresent()
            ? Future.<Void>succeededFuture() : Future.failedFuture(problemError(Problems.SESSION_EXPIRED)));
  }

  /** The live recovery session this request's cookie names, if any (at most {@link Session#RECOVERY_LIFETIME} old). */
  private Optional<Session> recoverySession(RoutingContext ctx) {
    return SessionLookup.recoveryOf(ctx).filter(r -> r.recoveryLive(clock.instant()));
  }

  /** An audit entry with what the request tells: the caller's address and platform. */
  private AuditEntry context(RoutingContext ctx, AuditEntry e) {
    return e.request(null, hygiene.clientAddress(ctx.request()),
        Platform.fromUserAgent(ctx.request().getHeader("User-Agent")).label());
  }

  private Future<JsonObject> loginOptions(RoutingContext ctx, JsonObject body) {
    var username = optionalString(body, "username");
    return async(() -> passkeys.startLogin(username)).map(PasskeyApi::start);
  }

  private Future<JsonObject> loginVerify(RoutingContext ctx, JsonObject body) {
    var ceremony = requiredString(body, "ceremonyId");
    var credential = requiredObject(body, "credential");
    var previous = cookie.read(ctx.request().getHeader("Cookie"));
    return async(() -> passkeys.finishLogin(ceremony, credential.encode()))
        .onFailure(err -> trail.emit(entry(ctx, "sign_in_failed").with("reason", reason(err)))).compose(a -> {
      var session = new Session(SessionIds.next(), a.user().id(), a.user().username(), a.at(), a.credentialId(),
          a.backupEligible(), a.userVerified(), Optional.empty(), a.at())
          .withDevice(Devices.fromUserAgent(ctx.request().getHeader("User-Agent")));
      // A new session id at every sign-in; the cookie goes out once the store has both changes.
      var ended = previous.map(sessions::end).orElse(java.util.concurrent.CompletableFuture.completedFuture(null));
      var done = sessions.create(session).thenCombine(ended, (x, y) -> (Void) null)
          // Disabled meanwhile (users disable): the new session ends before its cookie goes out.
          .thenCompose(v -> passkeys.requireEnabled(a.user().id()).exceptionallyCompose(err -> sessions.end(session.id())
              .thenCompose(x -> java.util.concurrent.CompletableFuture.<Void>failedFuture(Async.cause(err)))));
      return Future.fromCompletionStage(done, vertx.getOrCreateContext()).map(v -> {
        ctx.response().putHeader("Set-Cookie", cookie.set(session.id()));
        audit("signed-in", a.user().id(), "passkey sign-in");
        trail.emit(entry(ctx, "signed_in").user(a.user().id()).session(session.id()).with("credential", a.credentialId()));
        return new JsonObject().put("status", "ok");
      });
    });
  }

  private Future<JsonObject> stepUpOptions(RoutingContext ctx, JsonObject body) {
    if (boltOn.isPresent()) {
      // Bolt-on: an app user without a passkey is told how to get the first one (SPEC section 8).
      var caller = currentSession(ctx).orElseThrow(() -> problemError(Problems.APP_LOGIN_REQUIRED));
      return async(() -> credentials.ofUser(caller.userId())).compose(existing -> existing.isEmpty()
          ? Future.failedFuture(problemError(Problems.ENROLLMENT_REQUIRED.with("firstEnrollment", boltOn.get().firstEnrollment())))
          : async(() -> passkeys.startStepUp(caller.userId())).map(PasskeyApi::start));
    }
    var session = requireSession(ctx);
    return async(() -> passkeys.startStepUp(session.userId())).map(PasskeyApi::start);
  }

  private Future<JsonObject> stepUpVerify(RoutingContext ctx, JsonObject body) {
    var session = requireSession(ctx);
    var ceremony = requiredString(body, "ceremonyId");
    var credential = requiredObject(body, "credential");
    var held = optionalString(body, "held");
    var rd = optionalString(body, "rd");
    var rule = optionalString(body, "rule");
    // A held request's rule is decided server-side; else the prompt may name an account action.
    var action = held.isEmpty() ? rule.flatMap(AccountAction::named) : Optional.<AccountAction>empty();
    var ruled = action.isPresent() ? Future.succeededFuture(action.map(AccountAction::ruleName))
        : Future.fromCompletionStage(followUp.ruleFor(session.id(), held, rule), vertx.getOrCreateContext());
    // The rule the funnel counts it under: the one it confirms once known, else the one the prompt named.
    var counted = new String[] {rule.orElse("")};
    return ruled.compose(forRule -> {
      forRule.ifPresent(r -> counted[0] = r);
      return async(() -> passkeys.finishStepUp(ceremony, credential.encode(), session.userId()))
          .recover(err -> failedStepUp(session, err)).compose(a -> {
            var newId = SessionIds.next(); // a new session id at every step-up
            return Future.fromCompletionStage(recordStepUp(session, newId, record(a, forRule)))
                .compose(rotated -> afterStepUp(ctx, session, newId, rotated, a, forRule, action, held, rd));
          });
    }).andThen(ar -> {
      if (ar.succeeded()) funnel.rules().stepUpPassed(counted[0]);
      else funnel.rules().stepUpFailed(counted[0]);
      if (ar.failed()) trail.emit(entry(ctx, "step_up_failed").user(session.userId()).session(session.id())
          .with("rule", counted[0].isEmpty() ? null : counted[0]).with("reason", reason(ar.cause())));
    });
  }

  /**
   * The session after a step-up, under {@code newId}. A bolt-on app session that stepgate did not
   * store yet is stored now, bound to its app session, with the step-up in it.
   */
  private CompletionStage<Optional<Session>> recordStepUp(Session session, String newId, Session.StepUpRecord record) {
    if (!dev.stepgate.admission.AppSessionCaller.unstored(session))
      return sessions.rotateAndRecordStepUp(session.id(), newId, record);
    var stored = session.withId(newId).withStepUp(record).withGroups(Set.of());
    return sessions.create(stored).thenApply(v -> Optional.of(stored));
  }

  /**
   * A step-up that did not verify counts against its account (enough lock its step-ups for a
   * while); the session itself is left exactly as it was: whoever failed may not be its owner.
   */
  private Future<Authenticated> failedStepUp(Session session, Throwable err) {
    var cause = Async.cause(err);
    if (!(cause instanceof StepgateException e) || (e.status() != 401 && e.status() != 403)) return Future.failedFuture(cause);
    return Future.fromCompletionStage(limiter.stepUpFailed(session.userId()), vertx.getOrCreateContext())
        .transform(counted -> {
          if (counted.failed()) LOG.warning("failed step-up not counted: " + Async.cause(counted.cause()).getClass().getSimpleName());
          return Future.failedFuture(cause);
        });
  }

  private Future<JsonObject> afterStepUp(RoutingContext ctx, Session session, String newId, Optional<Session> rotated,
      Authenticated a, Optional<String> forRule, Optional<AccountAction> action, Optional<String> held, Optional<String> rd) {
    {
      if (rotated.isEmpty()) return Future.failedFuture(problemError(Problems.SESSION_EXPIRED));
      ctx.response().putHeader("Set-Cookie", cookie.set(newId));
      audit("stepped-up", a.user().id(), "user-verified passkey assertion" + forRule.map(r -> " for " + r).orElse(""));
      // The jti the assertions of the rotated session carry (identity.AssertionClaims#jtiFor), so both name one step-up.
      // Passed only once the rule accepts the passkey: a refused one (too young, synced) is step_up_failed.
      Runnable passed = () -> trail.emit(entry(ctx, "step_up_passed").user(a.user().id()).session(newId)
          .with("rule", forRule.orElse(null)).with("credential", a.credentialId())
          .with("jti", dev.stepgate.identity.AssertionClaims.jtiFor(newId, rotated.get().stepUp().orElseThrow().at())));
      // An account action's step-up resumes nothing: the page goes on with the action itself.
      if (action.isPresent()) {
        passed.run();
        return Future.succeededFuture(new JsonObject().put("status", "ok"));
      }
      return Future.fromCompletionStage(followUp.after(session.id(), rotated.get(), held, rd), vertx.getOrCreateContext())
          .compose(next -> {
            if (next.refusal().isPresent())
              return Future.failedFuture(problemError(Problems.stepUpNotQualified(next.refusal().get())));
            passed.run();
            var out = new JsonObject().put("status", "ok");
            next.resume().ifPresent(r -> out.put("resume", r));
            return Future.succeededFuture(out);
          });
    }
  }

  private Future<JsonObject> revoke(RoutingContext ctx, JsonObject body) {
    var session = requireSession(ctx);
    // Any base64 spelling of the id names the same passkey (and the same sessions): parsed once here.
    var id = CredentialId.parse(requiredString(body, "credentialId"));
    final byte[] raw = id.bytes();
    // The last-passkey rule is checked in the same transaction as the delete (two racing revokes cannot both pass).
    return spend(session, AccountAction.REVOKE_PASSKEY).compose(spent -> async(() -> credentials.revokeUnlessLast(session.userId(), raw)
        .thenCompose(revoked -> {
          if (revoked == Revoked.LAST_PASSKEY) throw problemError(Problems.LAST_PASSKEY);
          if (revoked == Revoked.NOT_FOUND) throw problemError(Problems.PASSKEY_NOT_FOUND);
          trail.emit(entry(ctx, "passkey_revoked").user(session.userId()).session(session.id()).with("credential", id.base64url())
              .with("by", "owner"));
          return auditLog.record("passkey-revoked", Optional.of(session.userId()), "by owner");
        }))).onFailure(err -> {
          // Refusals are audited (the last passkey, another user's id); asking for the step-up first is the normal flow.
          if (Async.cause(err) instanceof StepgateException se && !(se instanceof AccountStepUpRequired) && se.status() < 500)
            trail.emit(entry(ctx, "account_change_refused").user(session.userId()).session(session.id())
                .with("action", "revoke").with("credential", id.base64url()).with("reason", reason(err)));
        }).compose(ok -> Future.fromCompletionStage(sessions.endSessionsOfCredential(session.userId(), id)))
        .map(ended -> new JsonObject().put("status", "ok"));
  }

  private Future<JsonObject> logout(RoutingContext ctx, JsonObject body) {
    // "ok" only once the store has ended the session (a shared store may be down: then 503).
    ctx.response().putHeader("Set-Cookie", cookie.clear());
    var ended = cookie.read(ctx.request().getHeader("Cookie")).map(sessions::end)
        .orElse(java.util.concurrent.CompletableFuture.completedFuture(null));
    return Future.fromCompletionStage(ended, vertx.getOrCreateContext()).map(v -> new JsonObject().put("status", "ok"));
  }

  private void session(RoutingContext ctx) {
    var session = currentSession(ctx);
    if (session.isEmpty()) {
      send(ctx, Problems.LOGIN_REQUIRED);
      return;
    }
    var s = session.get();
    var out = new JsonObject().put("user", s.username()).put("userId", s.userId())
        .put("authTime", s.authTime().getEpochSecond())
        .put("stepUpTime", s.stepUp().map(u -> (Object) u.at().getEpochSecond()).orElse(null))
        .put("amr", s.backupEligible() ? "swk" : "hwk");
    ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(out.encode());
  }

  /** Refuses with a step-up challenge unless {@code session} holds a fresh step-up for {@code action}. */
  private void requireFresh(Session session, AccountAction action) {
    if (!accountStepUps.fresh(session, action)) throw new AccountStepUpRequired(action, accountStepUps.maxAge());
  }

  /** Uses up the session's fresh step-up for {@code action}, or refuses with a step-up challenge. */
  private Future<Void> spend(Session session, AccountAction action) {
    return Future.fromCompletionStage(accountStepUps.spend(session.id(), action)).compose(spent -> spent.isPresent()
        ? Future.<Void>succeededFuture() : Future.failedFuture(new AccountStepUpRequired(action, accountStepUps.maxAge())));
  }

  private static Session.StepUpRecord record(Authenticated a, Optional<String> forRule) {
    return new Session.StepUpRecord(a.at(), a.credentialId(), a.backupEligible(), a.credentialCreatedAt(), false, forRule);
  }

  // ---- plumbing ----

  /** A ceremony's verify call: as {@link #json}, and its outcome counted in the funnel (SPEC section 9). */
  private void ceremony(RoutingContext ctx, Kind kind,
      java.util.function.BiFunction<RoutingContext, JsonObject, Future<JsonObject>> handler) {
    var platform = Platform.fromUserAgent(ctx.request().getHeader("User-Agent"));
    json(ctx, (c, body) -> {
      Future<JsonObject> answer;
      try {
        answer = handler.apply(c, body);
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      return answer.andThen(ar -> funnel.ceremonies().count(kind, ar.succeeded() ? Outcome.OK : outcomeOf(ar.cause()), platform));
    });
  }

  private static Outcome outcomeOf(Throwable failure) {
    var err = Async.cause(failure);
    if (err instanceof AccountStepUpRequired) return Outcome.NOT_ALLOWED;
    if (err instanceof StepgateException s) return Outcome.ofAnswer(s.status(), s.type());
    return Outcome.UNAVAILABLE;
  }

  /** {@code handler}, behind {@code endpoint}'s limits for the caller's address and {@code account}'s. */
  private java.util.function.BiFunction<RoutingContext, JsonObject, Future<JsonObject>> limited(Endpoint endpoint, java.util.function.BiFunction<RoutingContext, JsonObject, Optional<String>> account,
      java.util.function.BiFunction<RoutingContext, JsonObject, Future<JsonObject>> handler) {
    return (ctx, body) -> {
      var named = account.apply(ctx, body);
      if (endpoint == Endpoint.INVITE && named.isEmpty()) return handler.apply(ctx, body); // no invite presented
      var client = hygiene.clientAddress(ctx.request());
      return Future.fromCompletionStage(limiter.admit(endpoint, client, named), vertx.getOrCreateContext())
          .compose(refused -> refused.isPresent()
              ? refusedAndAudited(ctx, endpoint, refused.get())
              : handler.apply(ctx, body));
    };
  }

  /** The account a sign-in or registration names: its username as the store keys it, if it is one. */
  private static Optional<String> usernameOf(RoutingContext ctx, JsonObject body) {
    if (!(body.getValue("username") instanceof String name)) return Optional.empty();
    try {
      return Optional.of(dev.stepgate.credential.Usernames.normalize(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // refused by the call itself
    }
  }

  /** The username an invitation is tried for, when the body presents one. */
  private static Optional<String> invitedUsername(RoutingContext ctx, JsonObject body) {
    if (!(body.getValue("invite") instanceof String invite) || invite.isBlank()) return Optional.empty();
    return Optional.of(usernameOf(ctx, body).orElse(""));
  }

  private static Optional<String> signedInAccount(RoutingContext ctx, JsonObject body) {
    return SessionLookup.of(ctx).map(Session::userId);
  }

  private void json(RoutingContext ctx, java.util.function.BiFunction<RoutingContext, JsonObject, Future<JsonObject>> handler) {
    final JsonObject body;
    try {
      var raw = ctx.body().buffer();
      body = raw == null || raw.length() == 0 ? new JsonObject() : new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      problem(ctx, new StepgateException("invalid-request", 400, "The request body is not a JSON object."));
      return;
    }
    try {
      handler.apply(ctx, body)
          .onSuccess(out -> ctx.response().putHeader("Content-Type", "application/json")
              .putHeader("Cache-Control", "no-store").end(out.encode()))
          .onFailure(err -> problem(ctx, err));
    } catch (RuntimeException e) {
      problem(ctx, e);
    }
  }

  private void problem(RoutingContext ctx, Throwable failure) {
    if (ctx.response().ended()) return;
    var err = Async.cause(failure);
    if (err instanceof AccountStepUpRequired r) {
      ctx.response().putHeader("WWW-Authenticate", Responder.stepUpChallenge(r.maxAgeSeconds()));
      send(ctx, Problems.accountStepUpRequired(r.getMessage())
          .with(Map.of("rule", r.action().ruleName(), "maxAge", r.maxAgeSeconds())));
      return;
    }
    if (err instanceof ProblemError p) {
      send(ctx, p.problem);
      return;
    }
    if (err instanceof StepgateException s) {
      // A 503 is ours to fix (a store or pool is down or full), not the caller's: say so, once
      // per kind per window, however many requests meet it.
      if (s.status() >= 500) funnel.storeErrors().failed(StoreErrors.Dependency.ofProblemType(s.type()));
      if (s.status() >= 500)
        UNAVAILABLE_LOG.log(Level.WARNING, s.type(), "API " + ctx.request().path() + " answered " + s.status() + " " + s.type()
            + (s.getCause() != null ? " (" + s.getCause().getClass().getSimpleName() + ")" : ""));
      send(ctx, Problems.of(s));
      return;
    }
    LOG.warning("API request failed: " + err.getClass().getSimpleName());
    send(ctx, Problems.INTERNAL);
  }

  /** Every API answer is problem JSON (the API's callers are the pages' scripts, never a navigation). */
  private static void send(RoutingContext ctx, Problem problem) {
    Responder.sendJson(ctx.request(), problem);
  }

  /** A catalogued problem raised as an error, so that a future can fail with it. */
  private static final class ProblemError extends StepgateException {
    private static final long serialVersionUID = 1L;
    final transient Problem problem;

    ProblemError(Problem problem) {
      super(problem.type(), problem.status(), problem.detail());
      this.problem = problem;
    }
  }

  private static ProblemError problemError(Problem problem) {
    return new ProblemError(problem);
  }

  /**
   * The service's answer as a Vert.x future completed on this request's context: the work itself
   * runs on the stores' and the verifier's own threads, never here.
   */
  private <T> Future<T> async(Supplier<? extends CompletionStage<T>> work) {
    var context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(Async.attempt(work), context);
  }

  private Optional<Session> currentSession(RoutingContext ctx) {
    return SessionLookup.of(ctx);
  }

  private Session requireSession(RoutingContext ctx) {
    return currentSession(ctx).orElseThrow(() -> problemError(Problems.LOGIN_REQUIRED));
  }

  private Future<JsonObject> refusedAndAudited(RoutingContext ctx, Endpoint endpoint, Duration wait) {
    trail.emit(entry(ctx, "rate_limited").with("endpoint", endpoint.label()));
    return Future.failedFuture(problemError(Problems.rateLimited(wait)));
  }

  /** An audit entry about this call (its id, client address and platform; SPEC section 9). */
  private dev.stepgate.audit.AuditEntry entry(RoutingContext ctx, String event) {
    return dev.stepgate.proxy.AuditContext.of(event, ctx.request(), hygiene);
  }

  /** Why a call failed, as the audit trail says it: the problem type, never a message or a value. */
  private static String reason(Throwable failure) {
    var err = Async.cause(failure);
    if (err instanceof AccountStepUpRequired) return "step-up-required";
    return err instanceof StepgateException s ? s.type() : "unavailable";
  }

  private void audit(String kind, String userId, String detail) {
    auditLog.record(kind, Optional.of(userId), detail).whenComplete((done, e) -> {
      if (e != null) LOG.warning("audit write failed: " + Async.cause(e).getClass().getSimpleName());
    });
  }

  private static JsonObject start(CeremonyStart start) {
    return new JsonObject().put("ceremonyId", start.ceremonyId()).put("publicKey", new JsonObject(start.publicKeyJson()));
  }

  private static String requiredString(JsonObject body, String key) {
    return optionalString(body, key).orElseThrow(() ->
        new StepgateException("invalid-request", 400, "The field \"" + key + "\" is required."));
  }

  private static Optional<String> optionalString(JsonObject body, String key) {
    var v = body.getValue(key);
    if (v == null) return Optional.empty();
    if (!(v instanceof String s)) throw new StepgateException("invalid-request", 400, "The field \"" + key + "\" must be a string.");
    return s.isBlank() ? Optional.empty() : Optional.of(s);
  }

  private static JsonObject requiredObject(JsonObject body, String key) {
    var v = body.getValue(key);
    if (!(v instanceof JsonObject o))
      throw new StepgateException("invalid-request", 400, "The field \"" + key + "\" must be a JSON object.");
    return o;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
