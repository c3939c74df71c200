package dev.stepgate.ui;

import dev.stepgate.admission.Problems;
import dev.stepgate.proxy.RequestIds;
import dev.stepgate.proxy.Responder;
import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Reads the caller's session once per page or API request, asynchronously ({@link
 * SessionStore#find}: a remote store may take a while, and the event loop never waits on it), and
 * hands it to the route that follows. A store that cannot answer ends the request with a logged
 * 503: a page never treats "could not look" as "not signed in".
 */
final class SessionLookup implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger(SessionLookup.class.getName());
  // Per instance (one per gateway): an outage logs one line per window on each gateway.
  private final dev.stepgate.observe.LogThrottle failures =
      new dev.stepgate.observe.LogThrottle(LOG, dev.stepgate.observe.LogThrottle.FAILURE_WINDOW);
  private static final String KEY = "stepgate.session";
  private static final String RECOVERY_KEY = "stepgate.recovery-session";

  private final SessionCookie cookie;
  private final SessionStore sessions;
  private final java.util.Optional<BoltOn> boltOn;

  SessionLookup(SessionCookie cookie, SessionStore sessions) {
    this(cookie, sessions, Optional.empty());
  }

  /** With {@code boltOn}, the caller is whoever the app's own session names (SPEC section 8), as for admission. */
  SessionLookup(SessionCookie cookie, SessionStore sessions, Optional<BoltOn> boltOn) {
    this.cookie = cookie;
    this.sessions = sessions;
    this.boltOn = boltOn;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (boltOn.isPresent()) {
      appCaller(ctx, boltOn.get());
      return;
    }
    var id = cookie.read(ctx.request().getHeader("Cookie"));
    if (id.isEmpty()) {
      ctx.put(KEY, Optional.<Session>empty());
      ctx.next();
      return;
    }
    Future<Optional<Session>> found;
    try {
      found = Future.fromCompletionStage(sessions.find(id.get()), ctx.vertx().getOrCreateContext());
    } catch (RuntimeException e) {
      found = Future.failedFuture(e);
    }
    found.onSuccess(session -> {
      // A recovery session is not a sign-in: only recoveryOf hands it out, to enroll a passkey.
      ctx.put(KEY, session.filter(Session::signedIn));
      ctx.put(RECOVERY_KEY, session.filter(Session::recovery));
      ctx.next();
    }).onFailure(err -> {
      var requestId = RequestIds.generate();
      failures.answered503("session lookup", err, requestId);
      Responder.send(ctx.request(), Problems.unavailableFor(err).with(Problems.REQUEST_ID, requestId));
    });
  }

  /** Bolt-on mode: the app user the app session names, with the step-up state bound to it; never a recovery session. */
  private void appCaller(RoutingContext ctx, BoltOn app) {
    Future<Optional<Session>> found;
    try {
      found = Future.fromCompletionStage(app.caller().caller(cookieHeader(ctx)), ctx.vertx().getOrCreateContext());
    } catch (RuntimeException e) {
      found = Future.failedFuture(e);
    }
    found.onSuccess(session -> {
      ctx.put(KEY, session);
      ctx.put(RECOVERY_KEY, Optional.<Session>empty());
      ctx.next();
    }).onFailure(err -> {
      var requestId = RequestIds.generate();
      failures.answered503("app session lookup", err, requestId);
      Responder.send(ctx.request(), Problems.unavailableFor(err).with(Problems.REQUEST_ID, requestId));
    });
  }

  /** Every {@code Cookie} header of the request, joined as HTTP/2 allows them to be split. */
  private static String cookieHeader(RoutingContext ctx) {
    var all = ctx.request().headers().getAll("Cookie");
    return all.isEmpty() ? null : String.join("; ", all);
  }

  /**
   * The recovery session {@link #handle} found for this request, if the cookie names one (live or
   * not: the caller checks {@link Session#recoveryLive}); {@link #of} never answers it.
   */
  static Optional<Session> recoveryOf(RoutingContext ctx) {
    Optional<Session> session = ctx.get(RECOVERY_KEY);
    return session == null ? Optional.empty() : session;
  }

  /** The signed-in session {@link #handle} found for this request; empty when none (or the lookup did not run). */
  static Optional<Session> of(RoutingContext ctx) {
    Optional<Session> session = ctx.get(KEY);
    return session == null ? Optional.empty() : session;
  }
}
