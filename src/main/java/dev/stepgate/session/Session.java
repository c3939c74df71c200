package dev.stepgate.session;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A signed-in browser session, held server-side; the cookie carries only {@link #id()}.
 *
 * @param id 256-bit random id, base64url
 * @param userId the stable opaque user id
 * @param username the user's name
 * @param authTime when the passkey sign-in happened
 * @param credentialId the passkey used to sign in, in canonical form ({@code
 *     CredentialId.base64url()}: base64url without padding), as revocations match it
 * @param backupEligible whether that passkey can sync (BE flag)
 * @param userVerified whether sign-in was user-verified
 * @param stepUp the newest user-verified step-up, if any
 * @param createdAt when the session began (absolute lifetime counts from here)
 * @param device the browser and platform it signed in from, as its owner sees it listed
 * @param lastSeenAt when it was last used, to within {@link SessionStore#LAST_SEEN_STEP}; to the
 *     millisecond
 * @param recovery a recovery session (SPEC section 4): opened by a recovery code or link, it can
 *     only enroll a passkey for its own user; everything else treats it as not signed in, and it
 *     lives at most {@link #RECOVERY_LIFETIME}
 * @param groups the user's groups as last read from their source (the gateway's store, or the
 *     app's {@code whoami} in bolt-on mode), attached by the admission core for {@code allow}
 *     rules and the assertion's {@code groups} claim; stores need not keep them
 * @param appBinding bolt-on mode (SPEC section 8): a keyed hash of the app's own session cookies
 *     this session's step-up state belongs to; a request whose app cookies hash differently is
 *     not this session's. Empty in gateway mode
 */
public record Session(
    String id,
    String userId,
    String username,
    Instant authTime,
    String credentialId,
    boolean backupEligible,
    boolean userVerified,
    Optional<StepUpRecord> stepUp,
    Instant createdAt,
    Device device,
    Instant lastSeenAt,
    boolean recovery,
    Set<String> groups,
    Optional<String> appBinding) {

  public Session {
    if (id == null || id.length() < 40) throw new IllegalArgumentException("session id must be 256-bit");
    if (userId == null || userId.isBlank()) throw new IllegalArgumentException("userId must not be blank");
    stepUp = stepUp == null ? Optional.empty() : stepUp;
    device = device == null ? Device.UNKNOWN : device;
    groups = groups == null ? Set.of() : Set.copyOf(groups);
    appBinding = appBinding == null ? Optional.empty() : appBinding;
    lastSeenAt = lastSeenAt == null ? createdAt : lastSeenAt;
    // Kept to the millisecond, as every store can keep it exactly.
    if (lastSeenAt != null) lastSeenAt = lastSeenAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  /** A gateway-mode session without groups attached. */
  public Session(String id, String userId, String username, Instant authTime, String credentialId, boolean backupEligible,
      boolean userVerified, Optional<StepUpRecord> stepUp, Instant createdAt, Device device, Instant lastSeenAt,
      boolean recovery) {
    this(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt, device,
        lastSeenAt, recovery, Set.of(), Optional.empty());
  }

  /** A signed-in session (not a recovery session) from an unknown device, last seen when it began. */
  public Session(String id, String userId, String username, Instant authTime, String credentialId, boolean backupEligible,
      boolean userVerified, Optional<StepUpRecord> stepUp, Instant createdAt) {
    this(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt, Device.UNKNOWN,
        createdAt, false);
  }

  /** A session from an unknown device, last seen when it began. */
  public Session(String id, String userId, String username, Instant authTime, String credentialId, boolean backupEligible,
      boolean userVerified, Optional<StepUpRecord> stepUp, Instant createdAt, boolean recovery) {
    this(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt, Device.UNKNOWN,
        createdAt, recovery);
  }

  /** A signed-in session (not a recovery session). */
  public Session(String id, String userId, String username, Instant authTime, String credentialId, boolean backupEligible,
      boolean userVerified, Optional<StepUpRecord> stepUp, Instant createdAt, Device device, Instant lastSeenAt) {
    this(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt, device,
        lastSeenAt, false);
  }

  /** How long a recovery session lives from its start, idle or not. */
  public static final java.time.Duration RECOVERY_LIFETIME = java.time.Duration.ofMinutes(10);

  /**
   * The reserved rule of a recovery session's one enrollment: it carries an unspent step-up record
   * for it, which the enrollment spends with {@code SessionStore.consumeStepUp} (compare-and-set),
   * so that of two enrollments racing in one recovery session exactly one goes ahead.
   */
  public static final String RECOVERY_ENROLLMENT = "stepgate:recovery-enrollment";

  /** A new recovery session for {@code userId}, begun {@code at}: no passkey, its one enrollment unspent. */
  public static Session recovery(String id, String userId, String username, Instant at) {
    return new Session(id, userId, username, at, null, false, false,
        Optional.of(new StepUpRecord(at, null, false, at, false, Optional.of(RECOVERY_ENROLLMENT))), at, true);
  }

  /** Whether this is a live sign-in: false for a recovery session, which only {@link #recoveryLive} may use. */
  public boolean signedIn() {
    return !recovery;
  }

  /** Whether this is a recovery session within {@link #RECOVERY_LIFETIME} at {@code now}, its enrollment unspent. */
  public boolean recoveryLive(Instant now) {
    return recovery && now.isBefore(createdAt.plus(RECOVERY_LIFETIME)) && !now.isBefore(createdAt.minusSeconds(60))
        && stepUp.filter(u -> !u.consumed() && u.forRule().equals(Optional.of(RECOVERY_ENROLLMENT))).isPresent();
  }

  /** This session under a new id (sign-in state kept), as at every step-up. */
  public Session withId(String newId) {
    return new Session(newId, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt,
        device, lastSeenAt, recovery, groups, appBinding);
  }

  public Session withoutStepUp() {
    return new Session(id, userId, username, authTime, credentialId, backupEligible, userVerified, Optional.empty(),
        createdAt, device, lastSeenAt, recovery, groups, appBinding);
  }

  public Session withStepUp(StepUpRecord record) {
    return new Session(id, userId, username, authTime, credentialId, backupEligible, userVerified, Optional.of(record),
        createdAt, device, lastSeenAt, recovery, groups, appBinding);
  }

  /** This session with {@code groups} attached (read from their source at admission). */
  public Session withGroups(Set<String> groups) {
    return new Session(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt,
        device, lastSeenAt, recovery, groups, appBinding);
  }

  /** This session bound to the app session whose cookies hash to {@code binding} (bolt-on mode). */
  public Session boundTo(String binding) {
    return new Session(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt,
        device, lastSeenAt, recovery, groups, Optional.of(binding));
  }

  /** This session as made from {@code from}. */
  public Session withDevice(Device from) {
    return new Session(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt,
        from, lastSeenAt, recovery, groups, appBinding);
  }

  /** This session, last seen at {@code at}. */
  public Session seenAt(Instant at) {
    return new Session(id, userId, username, authTime, credentialId, backupEligible, userVerified, stepUp, createdAt,
        device, at, recovery, groups, appBinding);
  }

  /**
   * What a session tells its owner about where it is: a platform ("macOS") and a browser
   * ("Firefox") named from the User-Agent at sign-in, from a fixed set of names (never the header
   * itself); empty when unknown, as for sessions made before this was kept.
   */
  public record Device(String platform, String browser) {
    public static final Device UNKNOWN = new Device("", "");
    static final int MAX_LENGTH = 40;

    public Device {
      platform = platform == null ? "" : platform;
      browser = browser == null ? "" : browser;
      if (platform.length() > MAX_LENGTH || browser.length() > MAX_LENGTH)
        throw new IllegalArgumentException("device names must be at most 40 characters");
    }
  }

  @Override
  public String toString() {
    return "Session[user=" + username + (recovery ? ", recovery" : "") + "]"; // never print the id: it is a bearer secret
  }

  /**
   * A user-verified passkey assertion made to satisfy a step_up rule.
   *
   * @param at when it was verified
   * @param credentialId the passkey used, canonical base64url like the session's
   * @param backupEligible whether that passkey can sync
   * @param credentialCreatedAt when that passkey was enrolled
   * @param consumed true once a {@code max_age: 0s} rule has used it
   * @param forRule the rule whose prompt the user confirmed; a one-time ({@code max_age: 0s})
   *     rule accepts only a step-up made for it, so confirming one action never silently
   *     authorizes another
   */
  public record StepUpRecord(
      Instant at, String credentialId, boolean backupEligible, Instant credentialCreatedAt, boolean consumed,
      Optional<String> forRule) {
    public StepUpRecord {
      forRule = forRule == null ? Optional.empty() : forRule;
    }

    public StepUpRecord consume() {
      return new StepUpRecord(at, credentialId, backupEligible, credentialCreatedAt, true, forRule);
    }
  }
}
