package dev.stepgate.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One security event of the audit trail (SPEC section 9): its {@code event} name, who ({@code
 * user}: the stable user id), which session ({@code sid}: a hash of the session id, never the id
 * itself), the request ({@code request_id}, {@code ip}, {@code platform}), and the event's own
 * fields ({@code rule}, {@code credential}, {@code reason}, ...). Never a secret, a recovery code,
 * a token, a cookie or a whole assertion: callers put only public values in {@code fields}.
 * Immutable; the {@code with} methods return copies.
 */
public record AuditEntry(String event, Optional<String> user, Optional<String> sid, Optional<String> requestId,
    Optional<String> ip, Optional<String> platform, Map<String, String> fields) {

  public AuditEntry {
    if (event == null || !event.matches("[a-z][a-z0-9_]*"))
      throw new IllegalArgumentException("event must be a snake_case name");
    user = user == null ? Optional.empty() : user;
    sid = sid == null ? Optional.empty() : sid;
    requestId = requestId == null ? Optional.empty() : requestId;
    ip = ip == null ? Optional.empty() : ip;
    platform = platform == null ? Optional.empty() : platform;
    fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** An event with nothing else known yet. */
  public static AuditEntry of(String event) {
    return new AuditEntry(event, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Map.of());
  }

  public AuditEntry user(String userId) {
    return new AuditEntry(event, Optional.ofNullable(userId), sid, requestId, ip, platform, fields);
  }

  /** The session, by its id: only {@link #sessionHash} of it is kept. */
  public AuditEntry session(String sessionId) {
    return new AuditEntry(event, user, Optional.ofNullable(sessionId).map(AuditEntry::sessionHash), requestId, ip,
        platform, fields);
  }

  public AuditEntry request(String id, String clientIp, String platformName) {
    return new AuditEntry(event, user, sid, Optional.ofNullable(id), Optional.ofNullable(clientIp),
        Optional.ofNullable(platformName), fields);
  }

  /** Adds one of the event's own fields; a null value is left out. */
  public AuditEntry with(String name, String value) {
    if (value == null) return this;
    if (FIXED.contains(name)) throw new IllegalArgumentException(name + " is not an event field");
    var copy = new LinkedHashMap<>(fields);
    copy.put(name, value);
    return new AuditEntry(event, user, sid, requestId, ip, platform, copy);
  }

  private static final java.util.Set<String> FIXED =
      java.util.Set.of("ts", "event", "user", "sid", "request_id", "ip", "platform");

  /**
   * What the trail shows of a session id: the first 16 bytes of its SHA-256, base64url. Lines of
   * one session share it; the id (a bearer secret) cannot be recovered from it.
   */
  public static String sessionHash(String sessionId) {
    try {
      var digest = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
