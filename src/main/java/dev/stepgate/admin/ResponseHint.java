package dev.stepgate.admin;

import dev.stepgate.admission.Problem;
import dev.stepgate.admission.Problems;
import dev.stepgate.policy.Decision;
import dev.stepgate.proxy.Responder;

/**
 * A one-line summary of the answer the gateway gives for a decision, for {@code policy explain
 * --header-accept}. It reads the same catalogue ({@link Problems}) and the same challenge values
 * ({@link Responder}) the gateway answers with, so the two cannot drift.
 */
final class ResponseHint {
  private ResponseHint() {}

  /** @param accept the request's {@code Accept} header, decided as the gateway decides it */
  static String of(Decision d, String accept, String method) {
    boolean browser = Responder.wantsHtml(false, accept);
    if (d instanceof Decision.Allow) return "forwarded";
    if (d instanceof Decision.Login) {
      return browser ? "303 to /.stepgate/login?rd=..." : problem(Problems.LOGIN_REQUIRED, Responder.LOGIN_CHALLENGE);
    }
    if (d instanceof Decision.StepUp s) {
      if (!browser) return problem(Problems.STEP_UP_REQUIRED, Responder.stepUpChallenge(s.maxAgeSeconds()));
      boolean safe = method.equals("GET") || method.equals("HEAD");
      return safe ? "303 to /.stepgate/step-up?rd=..."
          : "request held, 303 to /.stepgate/step-up?rd=...&held=... (form POST)";
    }
    return Problems.FORBIDDEN.status() + " " + Problems.FORBIDDEN.type() + (browser ? " page" : " problem JSON");
  }

  private static String problem(Problem p, String challenge) {
    return p.status() + " " + p.type() + ", WWW-Authenticate: " + challenge;
  }
}
