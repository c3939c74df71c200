package dev.stepgate.admission;

import dev.stepgate.StepgateException;
import java.util.Map;
import java.util.Optional;

/**
 * The one catalogue of problem types a client of the gateway can see: each with one status, one
 * title and one message. The responder (proxy), the passkey API and the pages (ui) and {@code
 * policy explain} (admin) all read it, so a type never means two things. A type whose message
 * names something of the request (a rule's description, the step-up page) has a factory method
 * here; its status and title stay fixed.
 *
 * <p>Errors raised elsewhere ({@link StepgateException} with their own type) are answered through
 * {@link #of(StepgateException)}: a catalogued type keeps its catalogued status and title.
 */
public final class Problems {
  /** Every type URI starts with this (RFC 9457 §3.1.1: a URI; a URN needs no resolvable page). */
  public static final String BASE = "urn:stepgate:problem:";
  /** The field naming the request for the user to quote; HTML pages show it too. */
  public static final String REQUEST_ID = "requestId";

  private Problems() {}

  // Admission: the answers of SPEC section 5.
  public static final Problem LOGIN_REQUIRED = new Problem("login-required", 401, "Sign-in required",
      "Sign in with a passkey first.");
  public static final Problem STEP_UP_REQUIRED = new Problem("step-up-required", 401, "Confirm it's you",
      "This action needs a fresh passkey check.");
  public static final Problem FORBIDDEN = new Problem("forbidden", 403, "Not allowed",
      "This address is not available through this gateway.");
  public static final Problem CROSS_ORIGIN_WEBSOCKET = new Problem("cross-origin-websocket", 403, "Not allowed",
      "This connection was opened from a page of another site.");
  public static final Problem FORWARD_AUTH_NOT_ALLOWED = new Problem("forward-auth-not-allowed", 403, "Not allowed",
      "Only the configured proxy may ask this gateway for decisions.");
  public static final Problem UNAVAILABLE = new Problem("unavailable", 503, "Temporarily unavailable",
      "The gateway cannot check this request right now. Try again in a moment.");

  /** Bolt-on mode: the app's whoami endpoint did not say who is calling (SPEC section 8: fail closed). */
  public static final Problem APP_IDENTITY_UNAVAILABLE = new Problem("app-identity-unavailable", 503,
      "Cannot check who you are", "The gateway could not ask the app who is signed in, so it cannot let this request "
          + "through. Try again in a moment.");

  /** The bolt-on refusal of a step-up for a caller the app does not name (SPEC section 8). */
  public static final Problem APP_LOGIN_REQUIRED = new Problem("app-login-required", 401, "Sign in to the app first",
      "Sign in to the app with its own login first, then try again.");

  /** A step-up for an app user who has no passkey yet (bolt-on mode): they must enroll one first. */
  public static final Problem ENROLLMENT_REQUIRED = new Problem("enrollment-required", 409, "Create a passkey first",
      "Your account has no passkey yet.");

  /** The 503 for a request that could not be decided: which dependency failed, in words the user can act on. */
  public static Problem unavailableFor(Throwable err) {
    var cause = dev.stepgate.Async.cause(err);
    return cause instanceof dev.stepgate.StepgateException e && "whoami-unavailable".equals(e.type())
        ? APP_IDENTITY_UNAVAILABLE : UNAVAILABLE;
  }

  // Held requests (SPEC section 5: a form is never lost silently).
  public static final Problem HELD_REQUEST_LIMIT = new Problem("held-request-limit", 429,
      "Confirm first, then send again", "We could not keep this form while you confirm it's you. "
      + "Confirm with your passkey, then submit the form again.");
  public static final Problem HELD_REQUEST_GONE = new Problem("held-request-gone", 410, "Nothing to send",
      "This form was already sent, has expired, or belongs to another sign-in. Go back and submit it again.");

  // Abuse control (SPEC section 9).
  /** A rate limit refused the request; {@link #rateLimited} says when to retry. */
  public static final Problem RATE_LIMITED = new Problem("rate-limited", 429, "Too many attempts",
      "There have been too many attempts. Wait a moment, then try again.");
  /** The field (whole seconds) a {@code rate-limited} problem carries; the responder sends it as {@code Retry-After}. */
  public static final String RETRY_AFTER = "retryAfter";

  // The upstream.
  public static final Problem UPSTREAM_UNAVAILABLE = new Problem("upstream-unavailable", 502, "The app is not reachable",
      "The application behind this gateway could not be reached. Try again in a moment.");
  public static final Problem UPSTREAM_TIMEOUT = new Problem("upstream-timeout", 504, "The app did not answer in time",
      "The application behind this gateway did not respond in time. Try again in a moment.");
  public static final Problem BODY_TOO_LARGE = new Problem("body-too-large", 413, "Request too large",
      "The request body is larger than this gateway accepts.");

  /** A client too slow to send its request head, or whose body stalled (proxy.header_timeout, proxy.body_timeout). */
  public static final Problem REQUEST_TIMEOUT = new Problem("request-timeout", 408, "Request timeout",
      "The request did not arrive in time. Send it again.");

  // The gateway's own pages and API.
  public static final Problem NOT_FOUND = new Problem("not-found", 404, "Not found",
      "There is no gateway page at this address.");
  public static final Problem INTERNAL = new Problem("internal", 500, "Something went wrong",
      "The gateway could not complete this request.");
  public static final Problem UNSUPPORTED_MEDIA_TYPE = new Problem("unsupported-media-type", 415,
      "Unsupported media type", "Send the request body as application/json.");
  public static final Problem CROSS_ORIGIN = new Problem("cross-origin", 403, "Not allowed",
      "This request must come from a page of this site.");
  public static final Problem SESSION_EXPIRED = new Problem("session-expired", 401, "Sign-in required",
      "Your sign-in has ended. Sign in again.");
  public static final Problem LAST_PASSKEY = new Problem("last-passkey", 409, "Conflict",
      "This is your only passkey and you have no unused recovery codes: removing it would lock you out. "
          + "Add another passkey (or get recovery codes) first.");
  /** A recovery code or link that did not work: the same answer for an unknown user, a wrong code and a used one. */
  public static final Problem RECOVERY_FAILED = new Problem("recovery-failed", 401, "Not verified",
      "That recovery code or link did not work. Check the username and code, or ask for a new link.");
  /** Removing a passkey the account does not have (a sign-in with an unknown one is {@link #UNKNOWN_CREDENTIAL}). */
  public static final Problem PASSKEY_NOT_FOUND = new Problem("passkey-not-found", 404, "Not found",
      "No such passkey on your account.");
  /** A passkey name the account page cannot take (credential.PasskeyStore#checkedLabel says which rule it broke). */
  public static final Problem LABEL_INVALID = new Problem("invalid-label", 400, "Invalid passkey name",
      "Name the passkey with 1 to 64 characters, without < or > or control characters.");
  /** Ending a session the account does not have (another user's answers the same). */
  public static final Problem SESSION_NOT_FOUND = new Problem("session-not-found", 404, "Not found",
      "No such session on your account.");
  /** A passkey that is not registered here was used to sign in or step up: a verification failure. */
  public static final Problem UNKNOWN_CREDENTIAL = new Problem("unknown-credential", 401, "Not verified",
      "This passkey is not registered here.");
  /** The account was disabled (SPEC section 1, {@code users disable}): no sign-in, step-up or new passkey. */
  public static final Problem ACCOUNT_DISABLED = new Problem("account-disabled", 403, "Not allowed",
      "This account is disabled. Ask your administrator.");

  // The admin HTTP API on admin_listen (SPEC section 8).
  /** An admin API call without the admin token ({@code Authorization: Bearer <admin_token>}), or with another one. */
  public static final Problem ADMIN_TOKEN_REQUIRED = new Problem("admin-token-required", 401, "Not verified",
      "This call needs the admin token: send Authorization: Bearer <admin_token>.");
  /** An admin API call naming a user the store does not have. */
  public static final Problem UNKNOWN_USER = new Problem("unknown-user", 404, "Not found", "No such user.");

  // The pages' client-event beacon (SPEC section 9: abandonment in the funnel).
  /** A client event whose shape or values are not the beacon's schema. */
  public static final Problem CLIENT_EVENT_INVALID = new Problem("client-event-invalid", 400, "Invalid client event",
      "The client event does not match the expected shape.");
  /** More client events from one client than the beacon takes per minute. */
  public static final Problem CLIENT_EVENTS_LIMITED = new Problem("client-events-limited", 429, "Too many client events",
      "Too many client events from this client; try again later.");

  private static final Map<String, Problem> BY_TYPE = index(CLIENT_EVENT_INVALID, CLIENT_EVENTS_LIMITED,
      LOGIN_REQUIRED, STEP_UP_REQUIRED, FORBIDDEN,
      CROSS_ORIGIN_WEBSOCKET, FORWARD_AUTH_NOT_ALLOWED, UNAVAILABLE, HELD_REQUEST_LIMIT, HELD_REQUEST_GONE,
      UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, BODY_TOO_LARGE, REQUEST_TIMEOUT, NOT_FOUND, INTERNAL, UNSUPPORTED_MEDIA_TYPE,
      CROSS_ORIGIN, SESSION_EXPIRED, LAST_PASSKEY, PASSKEY_NOT_FOUND, UNKNOWN_CREDENTIAL, ACCOUNT_DISABLED, RATE_LIMITED,
      RECOVERY_FAILED, LABEL_INVALID, SESSION_NOT_FOUND, ADMIN_TOKEN_REQUIRED, UNKNOWN_USER);

  /** A refusal by a rate limit that lets the caller in again after {@code wait} (rounded up to whole seconds, at least 1). */
  public static Problem rateLimited(java.time.Duration wait) {
    long millis = Math.max(0, wait.toMillis());
    return RATE_LIMITED.with(RETRY_AFTER, Math.max(1, (millis + 999) / 1000));
  }

  /** A step-up challenge; the message names what the rule protects when it says so. */
  public static Problem stepUpRequired(Optional<String> description) {
    return description.map(d -> STEP_UP_REQUIRED.withDetail("This action needs a fresh passkey check: " + d + "."))
        .orElse(STEP_UP_REQUIRED);
  }

  /** A form too large to keep while the user confirms at {@code stepUpPath}. */
  public static Problem tooLargeToHold(String stepUpPath) {
    return new Problem("too-large-to-hold", 413, "Confirm first, then send again",
        "This form is too large to keep while you confirm it's you. Confirm with your passkey at "
            + stepUpPath + ", then submit the form again.");
  }

  /** An account action that needs a step-up made for it (the message names the action). */
  public static Problem accountStepUpRequired(String message) {
    return STEP_UP_REQUIRED.withDetail(message);
  }

  /** A step-up whose passkey does not meet the rule; {@code why} comes from the policy. */
  public static Problem stepUpNotQualified(String why) {
    return new Problem("step-up-not-qualified", 403, "Not allowed", why);
  }

  /** A request refused before any policy saw it (framing, target, host): its own type and message. */
  public static Problem rejected(String type, int status, String message) {
    return new Problem(type, status, titleFor(type, status), message);
  }

  /**
   * The answer for an error raised on purpose. A catalogued type answers exactly as catalogued
   * (status, title and message: one type never reads two ways); any other keeps its own status
   * and message under the title of that status.
   */
  public static Problem of(StepgateException e) {
    var known = BY_TYPE.get(e.type());
    if (known != null) return known;
    return new Problem(e.type(), e.status() >= 400 && e.status() <= 599 ? e.status() : 500, titleFor(e.type(), e.status()),
        e.getMessage() == null || e.getMessage().isBlank() ? INTERNAL.detail() : e.getMessage());
  }

  /** The catalogued problem of this type, if it is one. */
  public static Optional<Problem> named(String type) {
    return Optional.ofNullable(BY_TYPE.get(type));
  }

  private static String titleFor(String type, int status) {
    return switch (status) {
      case 401 -> "Not verified";
      case 403 -> "Not allowed";
      case 404 -> "Not found";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 413 -> "Request too large";
      case 421 -> "Unknown host";
      case 431 -> "Request headers too large";
      case 503 -> "Temporarily unavailable";
      default -> status >= 500 ? "Something went wrong" : type.equals("bad-forward-auth") ? "Bad forward-auth request" : "Bad request";
    };
  }

  private static Map<String, Problem> index(Problem... all) {
    var map = new java.util.HashMap<String, Problem>();
    for (var p : all) if (map.put(p.type(), p) != null) throw new IllegalStateException("two problems of type " + p.type());
    return Map.copyOf(map);
  }
}
