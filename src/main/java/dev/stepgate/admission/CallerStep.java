package dev.stepgate.admission;

import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Step 2: who is calling — the live session the gateway cookie names. The one caller source
 * today; a bolt-on mode's (an upstream's own session) becomes a second step beside it.
 */
final class CallerStep {
  private static final CompletableFuture<Optional<Session>> NOBODY = CompletableFuture.completedFuture(Optional.empty());

  private final SessionStore sessions;
  private final SessionCookie cookie;

  CallerStep(SessionStore sessions, SessionCookie cookie) {
    this.sessions = sessions;
    this.cookie = cookie;
  }

  CompletionStage<Optional<Session>> caller(AdmissionRequest request) {
    var id = cookie.read(request.cookieHeader());
    // A recovery session is not signed in (SPEC section 4): to policy it is nobody.
    return id.isEmpty() ? NOBODY : sessions.find(id.get()).thenApply(s -> s.filter(Session::signedIn));
  }

  /**
   * The caller from what this node knows now: {@code Optional.of(empty)} for nobody (no cookie),
   * empty when the cookie names a session this node does not know now (ask {@link #caller}).
   */
  Optional<Optional<Session>> callerNow(AdmissionRequest request) {
    var id = cookie.read(request.cookieHeader());
    if (id.isEmpty()) return Optional.of(Optional.empty());
    var known = sessions.findNow(id.get());
    return known.isPresent() ? Optional.of(known.filter(Session::signedIn)) : Optional.empty();
  }
}
