package dev.stepgate.passkey;

import com.webauthn4j.data.AuthenticationData;
import dev.stepgate.Async;
import dev.stepgate.credential.AuditLog;
import dev.stepgate.credential.CredentialException;
import dev.stepgate.credential.Enrollment;
import dev.stepgate.credential.InviteStore;
import dev.stepgate.credential.PasskeyStore;
import dev.stepgate.credential.StoredCredential;
import dev.stepgate.credential.User;
import dev.stepgate.credential.UserStore;
import dev.stepgate.credential.Usernames;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Passkey registration, sign-in and step-up ceremonies (WebAuthn Level 3 §7.1 and §7.2), speaking
 * the Level 3 JSON forms. Every method returns at once: store work runs on the stores' own
 * threads, WebAuthn parsing and signature checks on {@code verification}, never on the caller's
 * thread. Every refusal fails the stage with a {@link PasskeyException} (or a {@link
 * CredentialException} of type {@code storage-unavailable}); nothing fails open.
 */
public final class PasskeyService {
  private static final Logger LOG = Logger.getLogger(PasskeyService.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final PasskeySettings settings;
  private final UserStore users;
  private final PasskeyStore passkeys;
  private final InviteStore invites;
  private final AuditLog audit;
  private final dev.stepgate.audit.AuditTrail trail;
  private final CeremonyStore ceremonies;
  private final Clock clock;
  private final Executor verification;
  private final WebAuthnVerifier verifier;
  private final LoginDecoys decoys;

  /** The name of the installation's decoy key in {@code InstallSecrets}. */
  public static final String DECOY_KEY = "login-decoys";

  /** A new random decoy key, for {@code InstallSecrets.getOrCreate(DECOY_KEY, ...)} to keep if none is stored yet. */
  public static byte[] newDecoyKey() {
    return LoginDecoys.newKey();
  }

  /**
   * @param verification runs WebAuthn parsing and signature verification (CPU work); a rejection
   *     fails the ceremony with {@code verification-busy} (503)
   * @param decoyKey the installation's key for sign-in decoys ({@link #DECOY_KEY}), the same on
   *     every node and restart
   */
  public PasskeyService(PasskeySettings settings, UserStore users, PasskeyStore passkeys, InviteStore invites,
      AuditLog audit, CeremonyStore ceremonies, Clock clock, Executor verification, byte[] decoyKey) {
    this(settings, users, passkeys, invites, audit, ceremonies, clock, verification, decoyKey, dev.stepgate.audit.AuditTrail.NONE);
  }

  /** As the other constructor; an invite spent and a counter gone backwards are {@code trail} events too. */
  public PasskeyService(PasskeySettings settings, UserStore users, PasskeyStore passkeys, InviteStore invites,
      AuditLog audit, CeremonyStore ceremonies, Clock clock, Executor verification, byte[] decoyKey,
      dev.stepgate.audit.AuditTrail trail) {
    this.trail = trail;
    this.decoys = new LoginDecoys(decoyKey);
    this.settings = settings;
    this.users = users;
    this.passkeys = passkeys;
    this.invites = invites;
    this.audit = audit;
    this.ceremonies = ceremonies;
    this.clock = clock;
    this.verification = verification;
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
  public CompletionStage<CeremonyStart> startRegistration(String username, Optional<String> displayName,
      Optional<String> inviteToken, Optional<String> signedInUserId, RegistrationMode mode) {
    return Async.attempt(() -> {
      var name = normalize(username);
      var now = clock.instant();
      return users.byUsername(name).thenCompose(existing -> {
        if (existing.isPresent()) {
          var u = existing.get();
          if (signedInUserId.isEmpty() || !signedInUserId.get().equals(u.id()))
            throw refuse("registration", PasskeyException.forbidden("not-your-account",
                "Sign in as this user to add a passkey to the account."));
          if (u.disabled()) throw refuse("registration", accountDisabled());
          return passkeys.ofUser(u.id()).thenCompose(creds -> {
            var exclude = creds.stream().map(OptionsJson.Descriptor::of).toList();
            var c = newCeremony(Ceremony.Kind.REGISTRATION, Optional.of(u.id()), Optional.of(name),
                Optional.of(u.displayName()), false, Optional.empty(), signedInUserId, now);
            return start(c, OptionsJson.creation(settings, c, name, u.displayName(), u.idBytes(), exclude, timeoutMillis()));
          });
        }
        if (signedInUserId.isPresent())
          throw refuse("registration", PasskeyException.forbidden("not-your-account",
              "A signed-in user can add passkeys only to their own account."));
        return checkedInvite(inviteToken, name, now).thenCompose(inviteHash -> {
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
        });
      });
    });
  }

  /**
   * Bolt-on mode (SPEC section 8): starts the first passkey of the app user {@code username},
   * whose stepgate id is {@code userId} (from {@link AppUsers}), for a caller whose app session
   * names them. Only while they have no passkey: later ones are added as every signed-in user adds
   * one (with a step-up). With {@code inviteRequired} ({@code first_enrollment: invite}) only with
   * a valid invite for exactly this user, which the finish spends; without, the app session alone
   * lets them enroll ({@code on_step_up}), and the new passkey is as young as it is, so {@code
   * min_credential_age} rules refuse it until it is old enough.
   */
  public CompletionStage<CeremonyStart> startFirstEnrollment(String username, String userId, Optional<String> inviteToken,
      boolean inviteRequired) {
    return Async.attempt(() -> {
      var name = normalize(username);
      var now = clock.instant();
      return passkeys.ofUser(userId).thenCompose(existing -> {
        if (!existing.isEmpty())
          throw refuse("registration", PasskeyException.forbidden("not-first-passkey",
              "This account has a passkey already: add another one from the account page, after a step-up."));
        return checkedInvite(inviteToken, name, now);
      }).thenCompose(inviteHash -> {
        if (inviteRequired && inviteHash.isEmpty())
          throw refuse("registration", PasskeyException.forbidden("enrollment-invite-required",
              "Your first passkey needs an enrollment link from the app. Ask for one, then open it here."));
        return users.byUsername(name).thenCompose(found -> {
          if (found.isPresent()) {
            var u = found.get();
            if (!u.id().equals(userId)) throw refuse("registration", PasskeyException.forbidden("not-your-account",
                "The registration was started by someone else."));
            if (u.disabled()) throw refuse("registration", accountDisabled());
            var c = newCeremony(Ceremony.Kind.REGISTRATION, Optional.of(u.id()), Optional.of(name),
                Optional.of(u.displayName()), false, inviteHash, Optional.of(userId), now);
            return start(c, OptionsJson.creation(settings, c, name, u.displayName(), u.idBytes(), List.of(), timeoutMillis()));
          }
          var id = B64D.decode(userId);
          var c = newCeremony(Ceremony.Kind.REGISTRATION, Optional.of(userId), Optional.of(name), Optional.of(name), true,
              inviteHash, Optional.of(userId), now);
          return start(c, OptionsJson.creation(settings, c, name, name, id, List.of(), timeoutMillis()));
        });
      });
    });
  }

  /** The base64url hash of a given invite, if it is valid now for exactly {@code name}; refused otherwise. */
  private CompletionStage<Optional<String>> checkedInvite(Optional<String> token, String name, Instant now) {
    if (token.isEmpty()) return CompletableFuture.completedFuture(Optional.empty());
    var hash = InviteService.hash(token.get());
    if (hash.isEmpty()) throw refuse("registration", inviteInvalid());
    return invites.find(hash.get(), now).thenApply(forName -> {
      if (forName.isEmpty() || !MessageDigest.isEqual(forName.get().getBytes(), name.getBytes()))
        throw refuse("registration", inviteInvalid());
      return hash.map(B64::encodeToString);
    });
  }

  /**
   * Finishes a registration: WebAuthn L3 §7.1 steps 5-27 (origin, rpIdHash, challenge, UP, UV per
   * settings, offered algorithms only, credential id ≤ 1023 bytes, attestation per settings), then
   * writes user, invite spend and credential atomically; a known credential id is refused (step 26).
   *
   * @param signedInUserId who is signed in now; must be who was signed in at the start
   */
  public CompletionStage<Registered> finishRegistration(String ceremonyId, String registrationResponseJson,
      Optional<String> label, Optional<String> signedInUserId) {
    return finishRegistration(ceremonyId, registrationResponseJson, label, signedInUserId, Optional.empty());
  }

  /**
   * As {@link #finishRegistration(String, String, Optional, Optional)}, in a recovery session begun
   * at {@code recoveredAt}: the passkey is stored as enrolled then ({@code viaRecovery}), so {@code
   * min_credential_age} rules count its age from the recovery (SPEC section 4).
   */
  public CompletionStage<Registered> finishRegistration(String ceremonyId, String registrationResponseJson,
      Optional<String> label, Optional<String> signedInUserId, Optional<Instant> recoveredAt) {
    return Async.attempt(() -> take(ceremonyId, Ceremony.Kind.REGISTRATION)).thenCompose(c -> {
      if (!c.signedInUserId().equals(signedInUserId))
        throw refuse("registration", PasskeyException.forbidden("not-your-account",
            "The registration was started by someone else."));
      requireJson(registrationResponseJson);
      return verifying(() -> {
        try {
          return verifier.verifyRegistration(registrationResponseJson, c, c.userVerificationRequired());
        } catch (PasskeyException e) {
          throw refuse("registration", e);
        }
      }).thenCompose(v -> enroll(c, v, label, recoveredAt));
    });
  }

  private CompletionStage<Registered> enroll(Ceremony c, WebAuthnVerifier.VerifiedRegistration v, Optional<String> label,
      Optional<Instant> recoveredAt) {
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
        cleanLabel(label), recoveredAt.filter(at -> at.isBefore(now)).orElse(now), Optional.empty(), v.aaguid(),
        recoveredAt.isPresent());
    CompletionStage<User> owner = c.newUser()
        ? CompletableFuture.completedFuture(new User(userId, c.username().orElseThrow(), c.displayName().orElseThrow(), now))
        : users.byId(userId).thenApply(u -> {
          var existing = u.orElseThrow(() -> refuse("registration", PasskeyException.ceremonyInvalid()));
          // Disabled between start and finish: no passkey is added.
          if (existing.disabled()) throw refuse("registration", accountDisabled());
          return existing;
        });
    return owner.thenCompose(user -> passkeys.enroll(new Enrollment(c.newUser() ? Optional.of(user) : Optional.empty(),
            c.inviteTokenHash().map(B64D::decode), credential), now)
        .handle((done, err) -> {
          if (err == null) return user;
          var cause = Async.cause(err);
          if (cause instanceof CredentialException e && e.status() < 500)
            throw refuse("registration", new PasskeyException(e.type(), e.status(), e.getMessage(), e));
          throw rethrow(cause);
        })
        .thenCompose(u -> {
          if (c.inviteTokenHash().isPresent())
            trail.emit(dev.stepgate.audit.AuditEntry.of("invite_used").user(userId).with("username", u.username()));
          return audit.record("passkey-registered", Optional.of(userId),
            "credential=" + credential.credentialIdBase64() + (c.newUser() ? " new-user" : ""))
            .thenApply(done -> new Registered(u, credential, c.newUser()));
        }));
  }

  // ---------------------------------------------------------------- sign-in

  /**
   * Starts a sign-in. Without a username: discoverable credentials, empty {@code
   * allowCredentials}. With one: its passkeys, or for an unknown username (or one without
   * passkeys) deterministic decoys of the same shape, so the response does not tell whether the
   * account exists (WebAuthn L3 §14.6.2).
   */
  public CompletionStage<CeremonyStart> startLogin(Optional<String> username) {
    return Async.attempt(() -> {
      var now = clock.instant();
      if (username.isEmpty()) {
        var c = newCeremony(Ceremony.Kind.LOGIN, Optional.empty(), Optional.empty(), Optional.empty(), false,
            Optional.empty(), Optional.empty(), now);
        return start(c, OptionsJson.request(settings, c, List.of(), timeoutMillis()));
      }
      var name = normalize(username.get());
      return users.byUsername(name).thenCompose(user -> passkeys.ofUser(user.map(User::id).orElse("")).thenCompose(creds -> {
        var allow = creds.isEmpty() ? decoys.forUsername(name) : creds.stream().map(OptionsJson.Descriptor::of).toList();
        var c = newCeremony(Ceremony.Kind.LOGIN, user.map(User::id), Optional.of(name), Optional.empty(), false,
            Optional.empty(), Optional.empty(), now);
        return start(c, OptionsJson.request(settings, c, allow, timeoutMillis()));
      }));
    });
  }

  /** Finishes a sign-in: WebAuthn L3 §7.2 steps 5-24, then persists counter, BS, UV and last use. */
  public CompletionStage<Authenticated> finishLogin(String ceremonyId, String authenticationResponseJson) {
    return Async.attempt(() -> take(ceremonyId, Ceremony.Kind.LOGIN))
        .thenCompose(c -> assertion("login", c, authenticationResponseJson, Optional.empty()));
  }

  /**
   * Fails with {@code account-disabled} if the user is disabled (or gone) now. The sign-in calls
   * it once the new session exists: a {@code users disable} that committed while the assertion
   * was being verified is then either seen here or published after the session was stored, which
   * ends it; either way no session of a disabled user survives.
   */
  public CompletionStage<Void> requireEnabled(String userId) {
    return users.byId(userId).thenApply(u -> {
      if (u.isEmpty() || u.get().disabled()) throw refuse("login", accountDisabled());
      return null;
    });
  }

  // ---------------------------------------------------------------- step-up

  /** Starts a step-up for the signed-in user: their passkeys only, user verification required. */
  public CompletionStage<CeremonyStart> startStepUp(String userId) {
    return users.byId(userId).thenCompose(found -> {
      var user = found.orElseThrow(() -> refuse("step-up", PasskeyException.invalidRequest("Unknown user.")));
      if (user.disabled()) throw refuse("step-up", accountDisabled());
      return passkeys.ofUser(user.id()).thenCompose(creds -> {
        if (creds.isEmpty())
          throw refuse("step-up", PasskeyException.forbidden("no-passkey", "This account has no passkey yet."));
        var c = newCeremony(Ceremony.Kind.STEP_UP, Optional.of(user.id()), Optional.of(user.username()), Optional.empty(),
            false, Optional.empty(), Optional.empty(), clock.instant());
        var allow = creds.stream().map(OptionsJson.Descriptor::of).toList();
        return start(c, OptionsJson.request(settings, c, allow, timeoutMillis()));
      });
    });
  }

  /**
   * Finishes a step-up: as {@link #finishLogin}, and the ceremony must have been started for
   * {@code userId}, the passkey must be theirs, and UV is required whatever the settings say.
   */
  public CompletionStage<Authenticated> finishStepUp(String ceremonyId, String authenticationResponseJson, String userId) {
    return Async.attempt(() -> take(ceremonyId, Ceremony.Kind.STEP_UP)).thenCompose(c -> {
      if (!c.userId().orElseThrow().equals(userId)) throw refuse("step-up", PasskeyException.ceremonyInvalid());
      return assertion("step-up", c, authenticationResponseJson, Optional.of(userId));
    });
  }

  // ---------------------------------------------------------------- shared

  private CompletionStage<Authenticated> assertion(String event, Ceremony c, String json, Optional<String> requiredUserId) {
    requireJson(json);
    return verifying(() -> {
      try {
        return verifier.parseAssertion(json);
      } catch (PasskeyException e) {
        throw refuse(event, e);
      }
    }).thenCompose(data -> passkeys.find(data.getCredentialId()).thenCompose(found -> {
      // §7.2 step 5: the credential must be one we know (revoked ones are deleted).
      var stored = found.orElseThrow(() -> refuse(event, unknownCredential()));
      return users.byId(stored.userId()).thenCompose(ownerFound -> {
        var owner = ownerFound.orElseThrow(() -> refuse(event, unknownCredential()));
        checkOwner(event, c, data, owner, requiredUserId);
        return verifying(() -> verifier.verifyAssertion(data, c, stored, c.userVerificationRequired()))
            .exceptionallyCompose(err -> {
              if (!(Async.cause(err) instanceof PasskeyException e)) return CompletableFuture.failedFuture(Async.cause(err));
              var noted = e.type().equals("counter-regression")
                  ? possibleClone(stored, stored.signCount(), data.getAuthenticatorData().getSignCount())
                  : CompletableFuture.<Void>completedFuture(null);
              return noted.thenApply(done -> {
                throw refuse(event, e);
              });
            })
            .thenCompose(v -> {
              // Only after the assertion verified: whoever lacks the passkey learns nothing of
              // the account, the options for it look the same as ever. Its use is not recorded.
              if (owner.disabled()) throw refuse(event, accountDisabled());
              return recordAssertion(event, stored, owner, v);
            });
      });
    }));
  }

  private static void checkOwner(String event, Ceremony c, AuthenticationData data, User owner, Optional<String> requiredUserId) {
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
  }

  /** §7.2 steps 21-23, with the counter compared again inside the write. */
  private CompletionStage<Authenticated> recordAssertion(String event, StoredCredential stored, User owner,
      WebAuthnVerifier.VerifiedAssertion v) {
    var now = clock.instant();
    return passkeys.recordAssertion(stored.credentialId(), v.signCount(), v.backupState(), v.userVerified(), now)
        .thenCompose(recorded -> {
          if (recorded)
            return CompletableFuture.completedFuture(new Authenticated(owner, stored.credentialIdBase64(), v.userVerified(),
                stored.backupEligible(), v.backupState(), stored.createdAt(), now));
          return passkeys.find(stored.credentialId()).thenCompose(still -> {
            if (still.isEmpty()) throw refuse(event, unknownCredential());
            return possibleClone(stored, stored.signCount(), v.signCount()).thenApply(done -> {
              throw refuse(event, PasskeyException.verification("counter-regression",
                  "This passkey's signature counter went backwards; it may have been cloned."));
            });
          });
        });
  }

  private CompletionStage<Void> possibleClone(StoredCredential stored, long storedCount, long presented) {
    trail.emit(dev.stepgate.audit.AuditEntry.of("counter_regression").user(stored.userId())
        .with("credential", stored.credentialIdBase64()).with("stored", Long.toString(storedCount))
        .with("presented", Long.toString(presented)));
    return audit.record("possible-clone", Optional.of(stored.userId()),
        "credential=" + stored.credentialIdBase64() + " stored=" + storedCount + " presented=" + presented);
  }

  private CompletionStage<Ceremony> take(String ceremonyId, Ceremony.Kind kind) {
    if (ceremonyId == null || ceremonyId.isEmpty() || ceremonyId.length() > 64)
      throw PasskeyException.invalidRequest("ceremonyId is missing.");
    return ceremonies.take(ceremonyId).thenApply(found -> {
      var c = found.orElseThrow(() -> refuse(kind.name(), PasskeyException.ceremonyInvalid()));
      // WebAuthn L3 §13.4.3: a challenge is single use (taken above) and short-lived.
      if (c.kind() != kind || !clock.instant().isBefore(c.expiresAt()))
        throw refuse(kind.name(), PasskeyException.ceremonyInvalid());
      return c;
    });
  }

  /** Runs WebAuthn work on {@link #verification}; a full executor fails closed with a 503. */
  private <T> CompletionStage<T> verifying(Supplier<T> work) {
    var result = new CompletableFuture<T>();
    try {
      verification.execute(() -> {
        try {
          result.complete(work.get());
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new PasskeyException("verification-busy", 503,
          "The gateway is busy; try again in a moment.", e));
    }
    return result;
  }

  private static RuntimeException rethrow(Throwable cause) {
    return cause instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(cause);
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

  private CompletionStage<CeremonyStart> start(Ceremony c, String json) {
    return ceremonies.put(c).thenApply(done -> new CeremonyStart(c.id(), json));
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

  /** The account was disabled by an administrator ({@code stepgate users disable}). */
  static PasskeyException accountDisabled() {
    // As Problems.ACCOUNT_DISABLED says it (LoginTest holds them equal).
    return PasskeyException.forbidden("account-disabled", "This account is disabled. Ask your administrator.");
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
