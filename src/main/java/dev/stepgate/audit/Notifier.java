package dev.stepgate.audit;

import java.util.Map;

/**
 * Tells someone outside of an account change (a passkey added or revoked, a recovery code or link
 * used), e.g. by webhook. Like {@link AuditTrail#emit}, {@link #notify} never blocks and never
 * throws: a notification that cannot go out is dropped and counted.
 */
public interface Notifier {
  void notify(String event, String userId, Map<String, String> fields);

  Notifier NONE = (event, userId, fields) -> {};
}
