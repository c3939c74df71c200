package dev.stepgate.passkey;

import dev.stepgate.Async;
import dev.stepgate.audit.AuditEntry;
import dev.stepgate.audit.AuditTrail;
import dev.stepgate.credential.RecoveryStore;
import dev.stepgate.credential.User;
import dev.stepgate.credential.UserStore;
import dev.stepgate.credential.Usernames;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Account recovery (SPEC section 4): one-time recovery codes and single-use recovery links. A code
 * is {@link #CODE_GROUPS} groups of {@link #GROUP_LENGTH} base32 characters (80 bits); only its
 * HMAC-SHA256 under the installation's {@link #CODE_KEY}, bound to its user id, is stored. A link
 * carries a 256-bit token of which only the SHA-256 is stored. Neither is ever logged or audited.
 *
 * <p>A failed code attempt does the same work whatever failed (unknown user, wrong code, used
 * code: an HMAC and one store round trip), and answers the same empty result.
 */
public final class RecoveryService {
  /** The name of the installation's recovery-code key in {@code InstallSecrets}. */
  public static final String CODE_KEY = "recovery-codes";
  /** How many codes a set has. */
  public static final int CODES = 10;
  static final int CODE_GROUPS = 4;
  static final int GROUP_LENGTH = 4;
  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Stands in for the user id of an unknown username, so that its attempt costs the same. */
  private static final String NOBODY = "-";

  private final UserStore users;
  private final RecoveryStore store;
  private final AuditTrail audit;
  private final Clock clock;
  private final SecretKeySpec key;

  /** A new random key, for {@code InstallSecrets.getOrCreate(CODE_KEY, ...)} to keep if none is stored yet. */
  public static byte[] newCodeKey() {
    var k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  public RecoveryService(UserStore users, RecoveryStore store, AuditTrail audit, Clock clock, byte[] codeKey) {
    this(users, store, audit, clock, codeKey, false);
  }

  /**
   * @param endsSessions whether a successful recovery ends every other session of the user
   *     ({@code account.recovery_ends_sessions}): whoever held them, the owner now proves
   *     possession of a code or link, and a stolen session should not outlive that
   */
  public RecoveryService(UserStore users, RecoveryStore store, AuditTrail audit, Clock clock, byte[] codeKey,
      boolean endsSessions) {
    this.endsSessions = endsSessions;
    if (codeKey == null || codeKey.length < 16) throw new IllegalArgumentException("codeKey must be at least 16 bytes");
    this.users = users;
    this.store = store;
    this.audit = audit;
    this.clock = clock;
    this.key = new SecretKeySpec(codeKey.clone(), "HmacSHA256");
  }

  private final boolean endsSessions;

  /** Whether a successful recovery ends the user's other sessions. */
  public boolean endsSessions() {
    return endsSessions;
  }

  /** What a recovery attempt was made with, for the audit trail and the metrics. */
  public enum Method {
    CODE, LINK;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A new set of {@link #CODES} codes for {@code userId}, replacing the previous set (used or not)
   * in one write. The codes are shown once to their owner; only their keyed hashes are kept.
   */
  public CompletionStage<List<String>> issueCodes(String userId, UnaryOperator<AuditEntry> context) {
    return Async.attempt(() -> {
      var codes = new ArrayList<String>(CODES);
      var hashes = new ArrayList<byte[]>(CODES);
      for (int i = 0; i < CODES; i++) {
        var code = newCode();
        codes.add(code);
        hashes.add(codeHash(userId, normalizeCode(code).orElseThrow()));
      }
      return store.replaceCodes(userId, hashes, clock.instant()).thenApply(done -> {
        audit.emit(context.apply(AuditEntry.of("recovery_codes_issued").user(userId).with("count", Integer.toString(CODES))));
        return List.copyOf(codes);
      });
    });
  }

  /**
   * Spends {@code code} of {@code username}'s set. Empty (and one {@code recovery_failed} entry)
   * for an unknown username, a malformed, wrong or used code alike.
   */
  public CompletionStage<Optional<User>> verifyCode(String username, String code, UnaryOperator<AuditEntry> context) {
    return Async.attempt(() -> {
      Optional<String> name;
      try {
        name = Optional.of(Usernames.normalize(username));
      } catch (IllegalArgumentException e) {
        name = Optional.empty();
      }
      var normalized = normalizeCode(code);
      CompletionStage<Optional<User>> found = name.isPresent() ? users.byUsername(name.get())
          : CompletableFuture.completedFuture(Optional.empty());
      // A disabled account recovers nothing: it answers as an unknown one does (and spends no code).
      return found.thenApply(u -> u.filter(x -> !x.disabled())).thenCompose(user -> {
        // The same HMAC and one store round trip whatever is wrong, so timing tells nothing.
        var userId = user.map(User::id).orElse(NOBODY);
        var hash = codeHash(userId, normalized.orElse(""));
        return store.spendCode(userId, hash, clock.instant()).thenApply(spent -> {
          if (user.isPresent() && normalized.isPresent() && spent) {
            audit.emit(context.apply(AuditEntry.of("recovery_code_used").user(userId)));
            return user;
          }
          var reason = user.isEmpty() ? "unknown-user" : normalized.isEmpty() ? "malformed-code" : "code-not-valid";
          audit.emit(context.apply(AuditEntry.of("recovery_failed").user(user.map(User::id).orElse(null))
              .with("method", Method.CODE.label()).with("reason", reason)));
          return Optional.<User>empty();
        });
      });
    });
  }

  /** Spends a recovery link's token; empty (and a {@code recovery_failed} entry) when unknown, used or expired. */
  public CompletionStage<Optional<User>> verifyLink(String token, UnaryOperator<AuditEntry> context) {
    return Async.attempt(() -> {
      var hash = InviteService.hash(token);
      CompletionStage<Optional<String>> spent = hash.isPresent() ? store.spendLink(hash.get(), clock.instant())
          : CompletableFuture.completedFuture(Optional.empty());
      return spent.thenCompose(userId -> userId.isEmpty()
          ? CompletableFuture.completedFuture(Optional.<User>empty()) : users.byId(userId.get()))
          .thenApply(user -> user.filter(u -> !u.disabled()))
          .thenApply(user -> {
            if (user.isPresent()) audit.emit(context.apply(AuditEntry.of("recovery_link_used").user(user.get().id())));
            else audit.emit(context.apply(AuditEntry.of("recovery_failed").with("method", Method.LINK.label())
                .with("reason", hash.isEmpty() ? "malformed-token" : "link-not-valid")));
            return user;
          });
    });
  }

  /**
   * Creates a single-use recovery link token for {@code username}, valid for {@code ttl}: 32
   * random bytes, base64url; only its SHA-256 is stored. Fails with {@code invalid-request} for
   * an unusable ttl or username, {@code unknown-user} for one that does not exist.
   */
  public CompletionStage<String> issueLink(String username, Duration ttl, UnaryOperator<AuditEntry> context) {
    return Async.attempt(() -> {
      if (ttl == null || ttl.isNegative() || ttl.isZero()) throw PasskeyException.invalidRequest("The link lifetime must be positive.");
      String name;
      try {
        name = Usernames.normalize(username);
      } catch (IllegalArgumentException e) {
        throw PasskeyException.invalidRequest("Invalid username: " + e.getMessage() + ".");
      }
      return users.byUsername(name).thenCompose(user -> {
        var u = user.orElseThrow(() -> new PasskeyException("unknown-user", 404, "No such user."));
        var raw = new byte[32];
        RANDOM.nextBytes(raw);
        var token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        var expires = clock.instant().plus(ttl);
        return store.createLink(InviteService.hash(token).orElseThrow(), u.id(), expires).thenApply(done -> {
          audit.emit(context.apply(AuditEntry.of("recovery_link_issued").user(u.id()).with("expires", expires.toString())));
          return token;
        });
      });
    });
  }

  /** A new code: {@code XXXX-XXXX-XXXX-XXXX}, 80 random bits in base32. */
  static String newCode() {
    var out = new StringBuilder(CODE_GROUPS * (GROUP_LENGTH + 1));
    for (int g = 0; g < CODE_GROUPS; g++) {
      if (g > 0) out.append('-');
      for (int i = 0; i < GROUP_LENGTH; i++) out.append(BASE32[RANDOM.nextInt(BASE32.length)]);
    }
    return out.toString();
  }

  /**
   * The code as it is hashed: upper case, without spaces or dashes; empty for anything that cannot
   * be a code we issued. People type codes by hand, so {@code 0}, {@code 1} and {@code 8} are read
   * as the letters base32 has instead.
   */
  static Optional<String> normalizeCode(String code) {
    if (code == null || code.length() > 64) return Optional.empty();
    var out = new StringBuilder(CODE_GROUPS * GROUP_LENGTH);
    for (var ch : code.toUpperCase(Locale.ROOT).toCharArray()) {
      if (ch == '-' || ch == ' ') continue;
      char c = switch (ch) {
        case '0' -> 'O';
        case '1' -> 'I';
        case '8' -> 'B';
        default -> ch;
      };
      if (!(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7')) return Optional.empty();
      out.append(c);
    }
    return out.length() == CODE_GROUPS * GROUP_LENGTH ? Optional.of(out.toString()) : Optional.empty();
  }

  /** HMAC-SHA256 over the user id and the normalized code, so that no two users' hashes can be swapped. */
  private byte[] codeHash(String userId, String normalizedCode) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(userId.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return mac.doFinal(normalizedCode.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing", e);
    }
  }
}
