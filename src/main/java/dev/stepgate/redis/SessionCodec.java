package dev.stepgate.redis;

import dev.stepgate.session.Session;
import dev.stepgate.session.SessionSummary;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A session as a Redis hash. The id is not among the fields (the key is its hash); the step-up's
 * time is also kept as seconds and nanoseconds ({@code s_sec}, {@code s_nano}) so that the
 * consumption script can compare it exactly, and {@code exp} (epoch ms) is the absolute end.
 * {@code dp} and {@code db} name the device (absent: unknown), {@code ls} (epoch ms) is when it was
 * last seen (absent: when it began); sessions stored before those fields existed read as such.
 * {@code ab} is the bolt-on app binding (absent in gateway mode). Groups are not kept: the admission
 * core attaches them from their source at each request.
 */
final class SessionCodec {
  private SessionCodec() {}

  /** Field/value pairs of the sign-in part, {@code exp} included. */
  static List<String> fields(Session s, long expiresAtMs) {
    var f = new ArrayList<String>(24);
    put(f, "uid", s.userId());
    if (s.username() != null) put(f, "un", s.username());
    if (s.authTime() != null) put(f, "at", s.authTime().toString());
    if (s.credentialId() != null) put(f, "c", s.credentialId());
    put(f, "be", bit(s.backupEligible()));
    put(f, "uv", bit(s.userVerified()));
    put(f, "ca", s.createdAt().toString());
    if (s.recovery()) put(f, "rc", "1");
    s.appBinding().ifPresent(b -> put(f, "ab", b));
    put(f, "exp", Long.toString(expiresAtMs));
    if (!s.device().platform().isEmpty()) put(f, "dp", s.device().platform());
    if (!s.device().browser().isEmpty()) put(f, "db", s.device().browser());
    put(f, "ls", Long.toString(s.lastSeenAt().toEpochMilli()));
    s.stepUp().ifPresent(u -> f.addAll(stepUpFields(u)));
    return f;
  }

  /** Field/value pairs of a step-up; {@code s_rule} only when it was made for a rule. */
  static List<String> stepUpFields(Session.StepUpRecord u) {
    var f = new ArrayList<String>(16);
    put(f, "s_at", u.at().toString());
    put(f, "s_sec", Long.toString(u.at().getEpochSecond()));
    put(f, "s_nano", Integer.toString(u.at().getNano()));
    if (u.credentialId() != null) put(f, "s_c", u.credentialId());
    put(f, "s_be", bit(u.backupEligible()));
    if (u.credentialCreatedAt() != null) put(f, "s_cc", u.credentialCreatedAt().toString());
    put(f, "s_used", bit(u.consumed()));
    u.forRule().ifPresent(r -> put(f, "s_rule", r));
    return f;
  }

  /** The session {@code id} from a flat {@code HGETALL} reply; empty for nil or an empty reply. */
  static Optional<Session> session(String id, Response flat) {
    if (flat == null || flat.size() == 0) return Optional.empty();
    var m = map(flat);
    if (!m.containsKey("uid") || !m.containsKey("ca")) return Optional.empty();
    Optional<Session.StepUpRecord> stepUp = m.containsKey("s_at")
        ? Optional.of(new Session.StepUpRecord(Instant.parse(m.get("s_at")), m.get("s_c"), "1".equals(m.get("s_be")),
            instant(m, "s_cc"), "1".equals(m.get("s_used")), Optional.ofNullable(m.get("s_rule"))))
        : Optional.empty();
    return Optional.of(new Session(id, m.get("uid"), m.get("un"), instant(m, "at"), m.get("c"), "1".equals(m.get("be")),
        "1".equals(m.get("uv")), stepUp, Instant.parse(m.get("ca")), device(m), lastSeen(m),
        "1".equals(m.get("rc")), java.util.Set.of(), Optional.ofNullable(m.get("ab"))));
  }

  /**
   * The summary of the session stored under {@code hash} ({@link Keys#hash} of its id) from a flat
   * {@code HGETALL} reply, for its owner's list; empty for nil or an empty reply.
   */
  static Optional<SessionSummary> summary(String hash, Response flat) {
    if (flat == null || flat.size() == 0) return Optional.empty();
    var m = map(flat);
    if (!m.containsKey("uid") || !m.containsKey("ca")) return Optional.empty();
    var signedIn = Optional.ofNullable(instant(m, "at")).orElse(Instant.parse(m.get("ca")));
    return Optional.of(new SessionSummary(handle(hash), signedIn, Optional.ofNullable(lastSeen(m)).orElse(signedIn),
        m.get("c"), device(m)));
  }

  /**
   * {@link dev.stepgate.session.SessionIds#handle} of a session id, from the key hash the store
   * keeps (the full SHA-256 of the id): its first 16 bytes. The store never needs the id for it.
   */
  static String handle(String hash) {
    var digest = java.util.Base64.getUrlDecoder().decode(hash);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
  }

  private static Map<String, String> map(Response flat) {
    var m = new HashMap<String, String>();
    for (int i = 0; i + 1 < flat.size(); i += 2) m.put(flat.get(i).toString(), flat.get(i + 1).toString());
    return m;
  }

  /** Sessions stored before devices were kept have none: unknown. */
  private static Session.Device device(Map<String, String> m) {
    return new Session.Device(m.get("dp"), m.get("db"));
  }

  /** Epoch ms; null (the session's start) for sessions stored before it was kept. */
  private static Instant lastSeen(Map<String, String> m) {
    var v = m.get("ls");
    return v == null ? null : Instant.ofEpochMilli(Long.parseLong(v));
  }

  private static Instant instant(Map<String, String> m, String key) {
    var v = m.get(key);
    return v == null ? null : Instant.parse(v);
  }

  private static void put(List<String> f, String k, String v) {
    f.add(k);
    f.add(v);
  }

  private static String bit(boolean b) {
    return b ? "1" : "0";
  }
}
