package dev.stepgate.redis;

import dev.stepgate.session.Session;
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
    put(f, "exp", Long.toString(expiresAtMs));
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
    var m = new HashMap<String, String>();
    for (int i = 0; i + 1 < flat.size(); i += 2) m.put(flat.get(i).toString(), flat.get(i + 1).toString());
    if (!m.containsKey("uid") || !m.containsKey("ca")) return Optional.empty();
    Optional<Session.StepUpRecord> stepUp = m.containsKey("s_at")
        ? Optional.of(new Session.StepUpRecord(Instant.parse(m.get("s_at")), m.get("s_c"), "1".equals(m.get("s_be")),
            instant(m, "s_cc"), "1".equals(m.get("s_used")), Optional.ofNullable(m.get("s_rule"))))
        : Optional.empty();
    return Optional.of(new Session(id, m.get("uid"), m.get("un"), instant(m, "at"), m.get("c"), "1".equals(m.get("be")),
        "1".equals(m.get("uv")), stepUp, Instant.parse(m.get("ca")), "1".equals(m.get("rc"))));
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
