package dev.stepgate.audit;

/**
 * Where security events go (SPEC section 9): one JSON object per line, per event. Every part of
 * the gateway that does something security-relevant emits here; the sink ({@code audit.sink})
 * decides where the line is written. {@link #emit} never blocks the caller and never throws: an
 * audit sink that cannot write drops the line and counts it, it never fails a request.
 */
public interface AuditTrail {
  /** Records one event. Must be quick and thread-safe; safe on an event loop. */
  void emit(AuditEntry entry);

  /** Drops everything: for tools and tests that have no trail. */
  AuditTrail NONE = entry -> {};
}
