package dev.stepgate.passkey;

import dev.stepgate.Async;
import dev.stepgate.credential.AuditLog;
import dev.stepgate.credential.InviteStore;
import dev.stepgate.credential.Usernames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Enrollment invites: a random token handed out once; only its SHA-256 is stored, so a copy of
 * the database cannot be used to enroll.
 */
public final class InviteService {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 32;

  private final InviteStore invites;
  private final AuditLog audit;
  private final Clock clock;
  private final dev.stepgate.audit.AuditTrail trail;

  public InviteService(InviteStore invites, AuditLog audit, Clock clock) {
    this(invites, audit, clock, dev.stepgate.audit.AuditTrail.NONE);
  }

  /** As the other constructor; each invite made is an {@code invite_issued} event of {@code trail}. */
  public InviteService(InviteStore invites, AuditLog audit, Clock clock, dev.stepgate.audit.AuditTrail trail) {
    this.trail = trail;
    this.invites = invites;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Creates an invite for {@code username} valid for {@code ttl}.
   *
   * @return the raw token (32 random bytes, base64url); it is not stored and cannot be shown
   *     again. The stage fails with {@code invalid-request} if the username or ttl is unusable.
   */
  public CompletionStage<String> createInvite(String username, Duration ttl) {
    return Async.attempt(() -> create(username, ttl));
  }

  private CompletionStage<String> create(String username, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) throw PasskeyException.invalidRequest("The invite lifetime must be positive.");
    String normalized;
    try {
      normalized = Usernames.normalize(username);
    } catch (IllegalArgumentException e) {
      throw PasskeyException.invalidRequest("Invalid username: " + e.getMessage() + ".");
    }
    var raw = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(raw);
    var token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    return invites.create(hash(token).orElseThrow(), normalized, clock.instant().plus(ttl))
        .thenCompose(done -> {
          // The username and expiry only: the token is the secret.
          trail.emit(dev.stepgate.audit.AuditEntry.of("invite_issued").with("username", normalized)
              .with("expires", clock.instant().plus(ttl).toString()));
          return audit.record("invite-created", Optional.empty(), "username=" + normalized);
        })
        .thenApply(done -> token);
  }

  /** SHA-256 of a well-formed token; empty for anything that cannot be a token we issued. */
  static Optional<byte[]> hash(String token) {
    if (token == null || token.length() != 43 || !token.chars().allMatch(InviteService::isBase64Url)) return Optional.empty();
    try {
      return Optional.of(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isBase64Url(int c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
  }
}
