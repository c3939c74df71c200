package dev.stepgate.audit;

import java.util.Set;

/**
 * An {@link AuditTrail} that also hands the events a user should hear of to a {@link Notifier}:
 * whoever emits {@code passkey_added}, {@code passkey_revoked}, {@code recovery_code_used} or
 * {@code recovery_link_used} notifies by doing so, with no second call to forget.
 */
public final class NotifyingAuditTrail implements ClosableAuditTrail {
  /** The events that are notified. */
  public static final Set<String> NOTIFIED =
      Set.of("passkey_added", "passkey_revoked", "recovery_code_used", "recovery_link_used");

  private final ClosableAuditTrail trail;
  private final Notifier notifier;
  private final AutoCloseable notifierClose;

  public NotifyingAuditTrail(ClosableAuditTrail trail, Notifier notifier, AutoCloseable notifierClose) {
    this.trail = trail;
    this.notifier = notifier;
    this.notifierClose = notifierClose;
  }

  @Override
  public void emit(AuditEntry entry) {
    trail.emit(entry);
    if (entry != null && entry.user().isPresent() && NOTIFIED.contains(entry.event()))
      notifier.notify(entry.event(), entry.user().get(), entry.fields());
  }

  @Override
  public long dropped() {
    return trail.dropped();
  }

  @Override
  public void close() {
    try {
      notifierClose.close();
    } catch (Exception e) {
      java.util.logging.Logger.getLogger(NotifyingAuditTrail.class.getName())
          .warning("notifier close failed (" + e.getClass().getSimpleName() + "); the audit trail closes anyway");
    }
    trail.close();
  }
}
