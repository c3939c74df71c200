package dev.stepgate.admin;

import dev.stepgate.policy.Decision;

/**
 * A one-phrase summary of the response SPEC section 5 prescribes for a decision, for {@code policy
 * explain --header-accept}. Documentation only: the gateway's response mapping lives in its own
 * class and is what actually answers requests.
 */
final class ResponseHint {
  private ResponseHint() {}

  static String of(Decision d, boolean browser, String method) {
    if (d instanceof Decision.Allow) return "forwarded";
    if (d instanceof Decision.Login) {
      return browser ? "303 to /.stepgate/login?rd=..."
          : "401 WWW-Authenticate: Bearer error=\"invalid_token\"";
    }
    if (d instanceof Decision.StepUp s) {
      if (!browser) {
        return "401 WWW-Authenticate: Bearer error=\"insufficient_user_authentication\", max_age="
            + s.maxAgeSeconds();
      }
      boolean safe = method.equals("GET") || method.equals("HEAD");
      return safe ? "303 to /.stepgate/step-up?rd=..."
          : "request held, 303 to /.stepgate/step-up?rd=... (form POST)";
    }
    return browser ? "403 page" : "403 problem JSON";
  }
}
