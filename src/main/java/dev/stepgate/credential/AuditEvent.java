package dev.stepgate.credential;

import java.time.Instant;
import java.util.Optional;

/**
 * One entry of the audit log: what happened, to whom, when. Never carries a secret.
 *
 * @param kind e.g. {@code registered}, {@code possible-clone}, {@code credential-revoked}
 * @param userId the user concerned, if any
 * @param detail a short plain description (credential ids are public; tokens are not)
 * @param at when it was recorded
 */
public record AuditEvent(String kind, Optional<String> userId, String detail, Instant at) {
  public AuditEvent {
    if (kind == null || kind.isBlank()) throw new IllegalArgumentException("kind must not be blank");
    userId = userId == null ? Optional.empty() : userId;
    detail = detail == null ? "" : detail;
    if (at == null) throw new IllegalArgumentException("at must not be null");
  }
}
