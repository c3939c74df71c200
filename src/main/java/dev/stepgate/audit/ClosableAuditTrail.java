package dev.stepgate.audit;

/** An {@link AuditTrail} that owns a writer (a thread, a file): {@link #close} writes what is queued and stops it. */
public interface ClosableAuditTrail extends AuditTrail, AutoCloseable {
  /** Events not written so far (a full queue, a failed write): {@code stepgate_audit_dropped_total}. */
  long dropped();

  @Override
  void close();
}
