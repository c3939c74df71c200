package dev.stepgate.stepup;

import dev.stepgate.admission.Admission;
import dev.stepgate.admission.AdmissionRequest;
import dev.stepgate.admission.CanonicalPath;
import dev.stepgate.admission.EntryPoint;
import dev.stepgate.admission.Verdict;
import dev.stepgate.session.SessionCookie;
import dev.stepgate.session.SessionStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What becomes of a held POST when the browser resumes it after its step-up (SPEC section 5),
 * apart from the wire: the held request is admitted by the same pipeline as every other request,
 * for the host it was held for, and only then taken out. The order is the point: admission spends
 * a one-time step-up first, so a resume that lost the race for it keeps its form (and goes back to
 * the prompt), and only a forward takes the form, atomically, so it is sent at most once and only
 * for the session that held it.
 */
public final class HeldResume {
  private final HeldRequestStore held;
  private final SessionStore sessions;
  private final SessionCookie cookie;
  private final Admission admission;

  public HeldResume(HeldRequestStore held, SessionStore sessions, SessionCookie cookie, Admission admission) {
    this.held = held;
    this.sessions = sessions;
    this.cookie = cookie;
    this.admission = admission;
  }

  /** What to answer a resume; the wire (proxy) renders it. */
  public sealed interface Outcome {}

  /** Nothing to send: no session, not this session's form, or it was already sent or expired. */
  public record Gone() implements Outcome {}

  /** Not (or no longer) enough: back to the prompt at {@code location}, the form still held. */
  public record BackToPrompt(String location) implements Outcome {
    public BackToPrompt {
      Objects.requireNonNull(location, "location");
    }
  }

  /** Refused for good (or the caller must sign in again): the form was dropped; answer {@code verdict}. */
  public record Dropped(HeldRequest request, Verdict verdict) implements Outcome {
    public Dropped {
      if (verdict instanceof Verdict.Forward) throw new IllegalArgumentException("a forward is sent, not dropped");
    }
  }

  /** Send {@code request} upstream once, with {@code forward}'s identity: it was taken out for this. */
  public record Send(HeldRequest request, Verdict.Forward forward) implements Outcome {}

  private static final CompletableFuture<Outcome> GONE = CompletableFuture.completedFuture(new Gone());

  /**
   * Resumes the held request {@code id} for the caller whose {@code Cookie} header is {@code
   * cookieHeader}, from {@code peer} (an IP address, or null). Fails only when a store cannot answer.
   */
  public CompletionStage<Outcome> resume(String id, String cookieHeader, String peer) {
    var sessionId = cookie.read(cookieHeader);
    if (sessionId.isEmpty()) return GONE;
    return sessions.find(sessionId.get())
        .thenCompose(session -> session.filter(dev.stepgate.session.Session::signedIn).isEmpty()
            ? CompletableFuture.completedFuture(Optional.<HeldRequest>empty())
            : held.peek(id, session.get().id()))
        .thenCompose(request -> request.isEmpty() ? GONE : admit(id, request.get(), cookieHeader, peer));
  }

  private CompletionStage<Outcome> admit(String id, HeldRequest h, String cookieHeader, String peer) {
    // Decided for the host it was held for, as the prompt was (StepUpResume), not for the host
    // the browser resumes through: both are hosts the gateway serves, but rules may name hosts.
    var request = new AdmissionRequest(h.method(), h.host(), CanonicalPath.of(pathOf(h.pathAndQuery())).forPolicy(),
        h.pathAndQuery(), cookieHeader, peer, null, List.of(), true, false, null, EntryPoint.HELD_REPLAY);
    return admission.admit(request).thenCompose(verdict -> {
      if (verdict instanceof Verdict.Challenge c && c.stepUp().isPresent()) {
        // Another tab may have spent the one-time step-up first: the form stays for the next one.
        return CompletableFuture.completedFuture(new BackToPrompt(promptFor(h, id)));
      }
      if (verdict instanceof Verdict.Forward forward) {
        // Only for the session that held it: in bolt-on mode the caller is the app session's, which
        // a gateway cookie alone does not make (a stolen one sent with other app cookies is not it).
        if (forward.session().isPresent() && !forward.session().get().id().equals(h.sessionId())) return GONE;
        return held.take(id, h.sessionId()).thenApply(taken -> taken.<Outcome>map(t -> new Send(t, forward)).orElse(new Gone()));
      }
      return held.take(id, h.sessionId()).thenApply(taken -> new Dropped(h, verdict));
    });
  }

  /** The step-up prompt for held request {@code id}. */
  static String promptFor(HeldRequest h, String id) {
    return "/.stepgate/step-up?rd=" + URLEncoder.encode(h.pathAndQuery(), StandardCharsets.UTF_8) + "&held=" + id;
  }

  /** The path of a held request's target (its query cut off). */
  static String pathOf(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }
}
