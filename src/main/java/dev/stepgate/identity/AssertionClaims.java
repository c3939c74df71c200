package dev.stepgate.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The claims of an {@code X-Stepgate-Assertion} apart from {@code iat} and {@code exp}, which the
 * signer adds (SPEC section 6). Two requests with equal claims may share one signed assertion, so
 * this record is also the key of {@link AssertionCache}.
 *
 * <p>Times are truncated to whole seconds, as JWT NumericDate values are (RFC 7519 §2).
 *
 * @param iss the gateway's {@code public_url}
 * @param aud the upstream URL, or the rule's {@code audience}
 * @param sub stable opaque user id, never the username
 * @param preferredUsername the username ({@code preferred_username}, OpenID Connect Core §5.1)
 * @param sid {@link #sessionIdHash(String)} of the session id, never the id itself
 * @param authTime the passkey sign-in of this session ({@code auth_time}, OIDC Core §2)
 * @param stepUpTime the newest user-verified step-up, if any ({@code step_up_time})
 * @param amr RFC 8176 authentication method references, see {@link #amrFor(boolean, boolean)};
 *     empty (and the claim left out) only for {@link #ACR_APP_SESSION}: stepgate verified nothing
 * @param acr {@link #ACR_STEP_UP} or {@link #ACR_PASSKEY}
 * @param rule the name of the policy rule that decided
 * @param jti {@link #jtiFor} of the session's newest step-up, if it has one: the {@code
 *     step_up_passed} audit event names the same value, so an upstream log line leads to it
 * @param groups all of the user's groups ({@code groups}), sorted by code point and without
 *     duplicates; empty when it has none (the claim is then left out). All of them, not only those
 *     the policy names: the app may authorize on groups no rule mentions, and a token that changed
 *     with policy reloads would surprise it. Bounded by {@link dev.stepgate.GroupNames#MAX_PER_USER}.
 */
public record AssertionClaims(
    String iss,
    String aud,
    String sub,
    String preferredUsername,
    String sid,
    Instant authTime,
    Optional<Instant> stepUpTime,
    List<String> amr,
    String acr,
    String rule,
    Optional<String> jti,
    List<String> groups) {

  /** {@code acr} of a request that passed a {@code step_up} rule. */
  public static final String ACR_STEP_UP = "urn:stepgate:step-up";

  /** {@code acr} of every other authenticated request. */
  public static final String ACR_PASSKEY = "urn:stepgate:passkey";

  /**
   * {@code acr} of a bolt-on request (SPEC section 8) that passed no step-up: the app's own session
   * names the caller, and stepgate verified nothing of how the app signed them in.
   */
  public static final String ACR_APP_SESSION = "urn:stepgate:app-session";

  /** RFC 8176 §2: proof of possession of a hardware-secured key. */
  public static final String AMR_HARDWARE_KEY = "hwk";

  /** RFC 8176 §2: proof of possession of a software-secured key. */
  public static final String AMR_SOFTWARE_KEY = "swk";

  /** RFC 8176 §2: the user was present and verified by the authenticator. */
  public static final String AMR_USER = "user";

  private static final int SID_HASH_BYTES = 16;

  /** Claims without a {@code jti}. */
  public AssertionClaims(String iss, String aud, String sub, String preferredUsername, String sid, Instant authTime,
      Optional<Instant> stepUpTime, List<String> amr, String acr, String rule) {
    this(iss, aud, sub, preferredUsername, sid, authTime, stepUpTime, amr, acr, rule, Optional.empty());
  }

  /** Claims without {@code groups}. */
  public AssertionClaims(String iss, String aud, String sub, String preferredUsername, String sid, Instant authTime,
      Optional<Instant> stepUpTime, List<String> amr, String acr, String rule, Optional<String> jti) {
    this(iss, aud, sub, preferredUsername, sid, authTime, stepUpTime, amr, acr, rule, jti, List.of());
  }

  public AssertionClaims {
    jti = jti == null ? Optional.empty() : jti;
    // Sorted and distinct, so one set of groups is one key of the cache and one claim value.
    if (groups == null) groups = List.of();
    for (var g : groups)
      if (!dev.stepgate.GroupNames.valid(g)) throw new IllegalArgumentException("groups must be valid group names");
    groups = List.copyOf(new java.util.TreeSet<>(groups));
    requireText(iss, "iss");
    requireText(aud, "aud");
    requireText(sub, "sub");
    requireText(preferredUsername, "preferredUsername");
    requireText(sid, "sid");
    requireText(rule, "rule");
    if (authTime == null) throw new IllegalArgumentException("authTime must not be null");
    if (stepUpTime == null) throw new IllegalArgumentException("stepUpTime must not be null (use Optional.empty())");
    if (amr == null) throw new IllegalArgumentException("amr must not be null");
    if (!ACR_STEP_UP.equals(acr) && !ACR_PASSKEY.equals(acr) && !ACR_APP_SESSION.equals(acr))
      throw new IllegalArgumentException("acr must be " + ACR_PASSKEY + ", " + ACR_APP_SESSION + " or " + ACR_STEP_UP);
    // Only a bolt-on request that passed no step-up has no method stepgate verified; every other has one.
    if (amr.isEmpty() != ACR_APP_SESSION.equals(acr))
      throw new IllegalArgumentException("amr is empty exactly when acr is " + ACR_APP_SESSION);
    if (ACR_STEP_UP.equals(acr) && stepUpTime.isEmpty())
      throw new IllegalArgumentException("acr " + ACR_STEP_UP + " requires a stepUpTime");
    amr = List.copyOf(amr);
    authTime = authTime.truncatedTo(ChronoUnit.SECONDS);
    stepUpTime = stepUpTime.map(t -> t.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The {@code sid} claim for a session: base64url (no padding) of the first 128 bits of SHA-256
   * of the session id. Stable for a session, lets the upstream tell sessions apart, and does not
   * reveal the id (which is a bearer secret).
   */
  public static String sessionIdHash(String sessionId) {
    requireText(sessionId, "sessionId");
    var digest = SHA_256.get().digest(sessionId.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, SID_HASH_BYTES));
  }

  /**
   * The {@code jti} of the assertions a step-up leads to: base64url of the first 128 bits of
   * SHA-256 over a label, the session id and the step-up's instant. Derived, not stored: every
   * step-up rotates the session id, so each step-up has its own; every node (and the cache that
   * signs once per session, not per request) computes the same value without a new session field;
   * and it reveals neither the id nor the {@code sid} claim.
   */
  public static String jtiFor(String sessionId, Instant stepUpAt) {
    requireText(sessionId, "sessionId");
    var input = "stepgate-step-up-jti\0" + sessionId + "\0" + stepUpAt;
    var digest = SHA_256.get().digest(input.getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, SID_HASH_BYTES));
  }

  /** Computed for every signed-in request: one digest per thread instead of a provider lookup each time. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  });

  /**
   * RFC 8176 {@code amr} values for a passkey assertion (SPEC section 6). A credential that is not
   * backup-eligible (WebAuthn L3 §6.1 flag BE = 0) is device-bound: {@code hwk}; a synced passkey
   * is {@code swk}. {@code user} is added only when the authenticator verified the user (UV = 1).
   */
  public static List<String> amrFor(boolean backupEligible, boolean userVerified) {
    var key = backupEligible ? AMR_SOFTWARE_KEY : AMR_HARDWARE_KEY;
    return userVerified ? List.of(key, AMR_USER) : List.of(key);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) throw new IllegalArgumentException(name + " must not be blank");
  }
}
