package dev.stepgate.passkey;

import com.webauthn4j.data.AuthenticationData;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.CredentialStore;
import dev.stepgate.credential.Enrollment;
import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;
import dev.stepgate.credential.Usernames;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Passkey registration, sign-in and step-up ceremonies (WebAuthn Level 3 §7.1 and §7.2), speaking
 * the Level 3 JSON forms. Every method blocks (store I/O): call from worker threads. Every refusal
 * is a {@link PasskeyException} (or a {@link CredentialException} of type {@code
 * storage-unavailable}); nothing fails open.
 */
public final class PasskeyService {
  private static final Logger LOG = Logger.getLogger(PasskeyService.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final PasskeySettings settings;
  private final CredentialStore store;
  private final CeremonyStore ceremonies;
  private final Clock clock;
  private final WebAuthnVerifier verifier;
  private final LoginDecoys decoys = new LoginDecoys();

  public PasskeyService(PasskeySettings settings, CredentialStore store, CeremonyStore ceremonies, Clock clock) {
    this.settings = settings;
    this.store = store;
    this.ceremonies = ceremonies;
    this.clock = clock;
    this.verifier = new WebAuthnVerifier(settings);
  }

  // ---------------------------------------------------------------- registration

  /**
   * Starts a registration (WebAuthn L3 §7.1 step 1: options with a fresh challenge).
   *
   * <p>An existing username gets a passkey only from its own signed-in user ({@code
   * not-your-account} otherwise, whatever the mode). A new username is allowed by {@code OPEN},
   * by {@code INVITE} with a valid invite for exactly that username (spent on finish), never by
   * {@code CLOSED}. An invite, if given, is checked in every mode.
   */
  public CeremonyStart startRegistration(String username, Optional<String> displayName, Optional<String> inviteToken,
      Optional<String> signedInUserId, RegistrationMode mode) {
    var name = normalize(username);
    var existing = store.findUserByUsername(name);
    var now = clock.instant();
    if (existing.isPresent()) {
      var u = existing.get();
      if (signedInUserId.isEmpty() || !signedInUserId.get().equals(u.id()))
        throw refuse("registration", PasskeyException.forbidden("not-your-account",
            "Sign in as this user to add a passkey to the account."));
      var exclude = store.listCredentials(u.id()).stream().map(OptionsJson.Descriptor::of).toList();
      var c = newCeremony(Ceremony.Kind.REGISTRATION, Optional.of(u.id()), Optional.of(name), Optional.of(u.displayName()),
          false, Optional.empty(), signedInUserId, now);
      return start(c, OptionsJson.creation(settings, c, name, u.displayName(), u.idBytes(), exclude, timeoutMillis()));
    }
    if (signedInUserId.isPresent())
      throw refuse("registration", PasskeyException.forbidden("not-your-account",
          "A signed-in user can add passkeys only to their own account."));
    Optional<String> inviteHash = Optional.empty();
    if (inviteToken.isPresent()) {
      var hash = InviteService.hash(inviteToken.get());
      var forName = hash.flatMap(h -> store.findInvite(h, now));
      if (forName.isEmpty() || !MessageDigest.isEqual(forName.get().getBytes(), name.getBytes()))
        throw refuse("registration", inviteInvalid());
      inviteHash = hash.map(B64::encodeToString);
    }
    switch (mode) {
      case CLOSED -> throw refuse("registration", PasskeyException.forbidden("registration-closed",
          "New accounts cannot be created here."));
      case INVITE -> {
        if (inviteHash.isEmpty()) throw refuse("registration", inviteInvalid());
      }
      case OPEN -> { }
    }
    var userId = new byte[32];
    RANDOM.nextBytes(userId);
    var display = displayName.map(String::strip).filter(d -> !d.isEmpty() && d.length() <= 128).orElse(name);
    var c = newCeremony(Ceremony.Kind.REGISTRATION, Optional.of(B64.encodeToString(userId)), Optional.of(name),
        Optional.of(display), true, inviteHash, Optional.empty(), now);
    return start(c, OptionsJson.creation(settings, c, name, display, userId, List.of(), timeoutMillis()));
  }

  /**
   * Finishes a registration: WebAuthn L3 §7.1 steps 5-27 (origin, rpIdHash, challenge, UP, UV per
   * settings, offered algorithms only, credential id ≤ 1023 bytes, attestation per settings), then
   * writes user, invite spend and credential atomically; a known credential id is refused (step 26).
   *
   * @param signedInUserId who is signed in now; must be who was signed in at the start
   */
  public Registered finishRegistration(String ceremonyId, String registrationResponseJson, Optional<String> label,
      Optional<String> signedInUserId) {
    var c = take(ceremonyId, Ceremony.Kind.REGISTRATION);
    if (!c.signedInUserId().equals(signedInUserId))
      throw refuse("registration", PasskeyException.forbidden("not-your-account",
          "The registration was started by someone else."));
    requireJson(registrationResponseJson);
    WebAuthnVerifier.VerifiedRegistration v;
    try {
      v = verifier.verifyRegistration(registrationResponseJson, c, c.userVerificationRequired());
    } catch (PasskeyException e) {
      throw refuse("registration", e);
    }
    if (settings.attestationDirect()) {
      if ("none".equals(v.format()))
        throw refuse("registration", PasskeyException.verification("attestation-required",
            "This gateway accepts only attested authenticators."));
      if (!settings.allowedAaguids().isEmpty() && !settings.allowedAaguids().contains(v.aaguid()))
        throw refuse("registration", PasskeyException.forbidden("authenticator-not-allowed",
            "This kind of authenticator is not accepted here."));
    }
    var now = clock.instant();
    var userId = c.userId().orElseThrow();
    var credential = new StoredCredential(v.credentialId(), userId, v.attestedCredentialData(), v.signCount(),
        v.userVerified(), v.backupEligible(), v.backupState(), v.transports(),
        cleanLabel(label), now, Optional.empty(), v.aaguid());
    var user = c.newUser()
        ? new User(userId, c.username().orElseThrow(), c.displayName().orElseThrow(), now)
        : store.findUserById(userId).orElseThrow(() -> refuse("registration", PasskeyException.ceremonyInvalid()));
    try {
      store.enroll(new Enrollment(c.newUser() ? Optional.of(user) : Optional.empty(),
          c.inviteTokenHash().map(B64D::decode), credential), now);
    } catch (CredentialException e) {
      if (e.status() >= 500) throw e;
      throw refuse("registration", new PasskeyException(e.type(), e.status(), e.getMessage(), e));
    }
    store.recordEvent("passkey-registered", Optional.of(userId),
        "credential=" + credential.credentialIdBase64() + (c.newUser() ? " new-user" : ""));
    return new Registered(user, credential, c.newUser());
  }

  // ---------------------------------------------------------------- sign-in

  /**
   * Starts a sign-in. Without a username: discoverable credentials, empty {@code
   * allowCredentials}. With one: its passkeys, or for an unknown username (or one without
   * passkeys) deterministic decoys of the same shape, so the response does not tell whether the
   * account exists (WebAuthn L3 §14.6.2).
   */
  public CeremonyStart startLogin(Optional<String> username) {
    var now = clock.instant();
    if (username.isEmpty()) {
      var c = newCeremony(Ceremony.Kind.LOGIN, Optional.empty(), Optional.empty(), Optional.empty(), false,
          Optional.empty(), Optional.empty(), now);
      return start(c, OptionsJson.request(settings, c, List.of(), timeoutMillis()));
    }
    var name = normalize(username.get());
    var user = store.findUserByUsername(name);
    var creds = store.listCredentials(user.map(User::id).orElse(""));
    var allow = creds.isEmpty() ? decoys.forUsername(name) : creds.stream().map(OptionsJson.Descriptor::of).toList();
    var c = newCeremony(Ceremony.Kind.LOGIN, user.map(User::id), Optional.of(name), Optional.empty(), false,
        Optional.empty(), Optional.empty(), now);
    return start(c, OptionsJson.request(settings, c, allow, timeoutMillis()));
  }

  /** Finishes a sign-in: WebAuthn L3 §7.2 steps 5-24, then persists counter, BS, UV and last use. */
  public Authenticated finishLogin(String ceremonyId, String authenticationResponseJson) {
    var c = take(ceremonyId, Ceremony.Kind.LOGIN);
    return assertion("login", c, authenticationResponseJson, Optional.empty());
  }

  // ---------------------------------------------------------------- step-up

  /** Starts a step-up for the signed-in user: their passkeys only, user verification required. */
  public CeremonyStart startStepUp(String userId) {
    var user = store.findUserById(userId).orElseThrow(() -> refuse("step-up",
        PasskeyException.invalidRequest("Unknown user.")));
    var creds = store.listCredentials(user.id());
    if (creds.isEmpty())
      throw refuse("step-up", PasskeyException.forbidden("no-passkey", "This account has no passkey yet."));
    var c = newCeremony(Ceremony.Kind.STEP_UP, Optional.of(user.id()), Optional.of(user.username()), Optional.empty(),
        false, Optional.empty(), Optional.empty(), clock.instant());
    var allow = creds.stream().map(OptionsJson.Descriptor::of).toList();
    return start(c, OptionsJson.request(settings, c, allow, timeoutMillis()));
  }

  /**
   * Finishes a step-up: as {@link #finishLogin}, and the ceremony must have been started for
   * {@code userId}, the passkey must be theirs, and UV is required whatever the settings say.
   */
  public Authenticated finishStepUp(String ceremonyId, String authenticationResponseJson, String userId) {
    var c = take(ceremonyId, Ceremony.Kind.STEP_UP);
    if (!c.userId().orElseThrow().equals(userId)) throw refuse("step-up", PasskeyException.ceremonyInvalid());
    return assertion("step-up", c, authenticationResponseJson, Optional.of(userId));
  }

  // ---------------------------------------------------------------- shared

  private Authenticated assertion(String event, Ceremony c, String json, Optional<String> requiredUserId) {
    requireJson(json);
    AuthenticationData data;
    try {
      data = verifier.parseAssertion(json);
    } catch (PasskeyException e) {
      throw refuse(event, e);
    }
    // §7.2 step 5: the credential must be one we know (revoked ones are deleted).
    var stored = store.findCredential(data.getCredentialId())
        .orElseThrow(() -> refuse(event, unknownCredential()));
    var owner = store.findUserById(stored.userId()).orElseThrow(() -> refuse(event, unknownCredential()));
    // §7.2 step 6: the credential must belong to the user the ceremony was for.
    if (c.kind() == Ceremony.Kind.LOGIN && c.username().isPresent()
        && (c.userId().isEmpty() || !c.userId().get().equals(owner.id())))
      throw refuse(event, unknownCredential());
    if (requiredUserId.isPresent() && !requiredUserId.get().equals(owner.id())) throw refuse(event, unknownCredential());
    var userHandle = data.getUserHandle();
    if (userHandle != null && userHandle.length > 0) {
      if (!MessageDigest.isEqual(userHandle, owner.idBytes()))
        throw refuse(event, PasskeyException.verification("user-handle-mismatch", "The passkey belongs to another account."));
    } else if (c.kind() == Ceremony.Kind.LOGIN && c.username().isEmpty()) {
      // A discoverable sign-in names its user only through userHandle; without it, refuse.
      throw refuse(event, PasskeyException.verification("user-handle-mismatch", "The passkey did not name its account."));
    }
    WebAuthnVerifier.VerifiedAssertion v;
    try {
      v = verifier.verifyAssertion(data, c, stored, c.userVerificationRequired());
    } catch (PasskeyException e) {
      if (e.type().equals("counter-regression")) possibleClone(stored, stored.signCount(), data.getAuthenticatorData().getSignCount());
      throw refuse(event, e);
    }
    var now = clock.instant();
    // §7.2 steps 21-23, with the counter compared again inside the write.
    if (!store.recordAssertion(stored.credentialId(), v.signCount(), v.backupState(), v.userVerified(), now)) {
      if (store.findCredential(stored.credentialId()).isEmpty()) throw refuse(event, unknownCredential());
      possibleClone(stored, stored.signCount(), v.signCount());
      throw refuse(event, PasskeyException.verification("counter-regression",
          "This passkey's signature counter went backwards; it may have been cloned."));
    }
    return new Authenticated(owner, stored.credentialIdBase64(), v.userVerified(), stored.backupEligible(),
        v.backupState(), stored.createdAt(), now);
  }

  private void possibleClone(StoredCredential stored, long storedCount, long presented) {
    store.recordEvent("possible-clone", Optional.of(stored.userId()),
        "credential=" + stored.credentialIdBase64() + " stored=" + storedCount + " presented=" + presented);
  }

  private Ceremony take(String ceremonyId, Ceremony.Kind kind) {
    if (ceremonyId == null || ceremonyId.isEmpty() || ceremonyId.length() > 64)
      throw PasskeyException.invalidRequest("ceremonyId is missing.");
    var c = ceremonies.take(ceremonyId).orElseThrow(() -> refuse(kind.name(), PasskeyException.ceremonyInvalid()));
    // WebAuthn L3 §13.4.3: a challenge is single use (taken above) and short-lived.
    if (c.kind() != kind || !clock.instant().isBefore(c.expiresAt()))
      throw refuse(kind.name(), PasskeyException.ceremonyInvalid());
    return c;
  }

  private Ceremony newCeremony(Ceremony.Kind kind, Optional<String> userId, Optional<String> username,
      Optional<String> displayName, boolean newUser, Optional<String> inviteHash, Optional<String> signedIn, Instant now) {
    var id = new byte[16];
    RANDOM.nextBytes(id);
    var challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    boolean uv = kind == Ceremony.Kind.STEP_UP || settings.userVerificationRequired();
    return new Ceremony(B64.encodeToString(id), kind, B64.encodeToString(challenge), userId, username, displayName,
        newUser, inviteHash, signedIn, uv, now.plus(settings.ceremonyTtl()));
  }

  private CeremonyStart start(Ceremony c, String json) {
    ceremonies.put(c);
    return new CeremonyStart(c.id(), json);
  }

  private long timeoutMillis() {
    return settings.ceremonyTtl().toMillis();
  }

  private static String normalize(String username) {
    try {
      return Usernames.normalize(username);
    } catch (IllegalArgumentException e) {
      throw PasskeyException.invalidRequest("Invalid username: " + e.getMessage() + ".");
    }
  }

  /** A label is shown back to its owner: printable characters only, at most 64. */
  private static String cleanLabel(Optional<String> label) {
    var l = label.map(s -> s.codePoints().filter(cp -> !Character.isISOControl(cp))
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip()).orElse("");
    if (l.isEmpty()) return "Passkey";
    return l.length() > 64 ? l.substring(0, 64) : l;
  }

  private static void requireJson(String json) {
    if (json == null || json.isBlank()) throw PasskeyException.invalidRequest("The passkey response is missing.");
    if (json.length() > 64 * 1024) throw PasskeyException.invalidRequest("The passkey response is too large.");
  }

  private static PasskeyException inviteInvalid() {
    return PasskeyException.forbidden("invite-invalid", "The invitation is not valid, has expired, or was used.");
  }

  private static PasskeyException unknownCredential() {
    return PasskeyException.verification("unknown-credential", "This passkey is not registered here.");
  }

  /** Logs the refusal by kind and type only: never the response, challenge or key material. */
  private static PasskeyException refuse(String event, PasskeyException e) {
    LOG.log(Level.INFO, "passkey {0} refused: type={1}", new Object[] {event.toLowerCase(java.util.Locale.ROOT), e.type()});
    return e;
  }
}
