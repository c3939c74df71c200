package dev.stepgate.admission;

import dev.stepgate.session.Session;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Step 2: who is calling — the live session the gateway cookie names, with the user's groups
 * from the {@link GroupSource} attached ({@link Session#withGroups}). The one caller source today;
 * a bolt-on mode's (an upstream's own session) becomes a second step beside it. A caller whose
 * groups cannot be read is not known: the stage fails as a failed session read does.
 */
final class CallerStep {
  private static final CompletableFuture<Optional<Session>> NOBODY = CompletableFuture.completedFuture(Optional.empty());

  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final GroupSource groups;

  CallerStep(SessionStore sessions, SessionCookie cookie, GroupSource groups) {
    this.sessions = sessions;
    this.cookie = cookie;
    this.groups = groups;
  }

  CompletionStage<Optional<Session>> caller(AdmissionRequest request) {
    var id = cookie.read(request.cookieHeader());
    if (id.isEmpty()) return NOBODY;
    // A recovery session is not signed in (SPEC section 4): to policy it is nobody.
    return sessions.find(id.get()).thenCompose(found -> {
      var s = found.filter(Session::signedIn);
      if (s.isEmpty()) return NOBODY;
      // Groups that cannot be read count as none (never cached): an allow rule then refuses, and
      // every other signed-in route keeps working while the store is down (SPEC section 7).
      return groups.groupsOf(s.get()).exceptionally(err -> java.util.Set.of())
          .thenApply(g -> Optional.of(withGroups(s.get(), g)));
    });
  }

  /**
   * The caller from what this node knows now: {@code Optional.of(empty)} for nobody (no cookie),
   * empty when the cookie names a session this node does not know now (ask {@link #caller}).
   */
  Optional<Optional<Session>> callerNow(AdmissionRequest request) {
    var id = cookie.read(request.cookieHeader());
    if (id.isEmpty()) return Optional.of(Optional.empty());
    var known = sessions.findNow(id.get());
    if (known.isEmpty()) return Optional.empty();
    var s = known.filter(Session::signedIn);
    if (s.isEmpty()) return Optional.of(Optional.empty());
    // Groups this node does not hold now: the asynchronous path reads them.
    return groups.groupsNow(s.get()).map(g -> Optional.of(withGroups(s.get(), g)));
  }

  /** Stores keep no groups; a session without any stays the same object (no copy per request). */
  private static Session withGroups(Session s, java.util.Set<String> g) {
    return g.equals(s.groups()) ? s : s.withGroups(g);
  }
}
