package dev.stepgate.testing;

import dev.stepgate.audit.AuditEntry;
import dev.stepgate.audit.AuditTrail;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link AuditTrail} that keeps what it was given, for tests to read. */
public final class RecordingAuditTrail implements AuditTrail {
  private final List<AuditEntry> entries = new CopyOnWriteArrayList<>();

  @Override
  public void emit(AuditEntry entry) {
    entries.add(entry);
  }

  public List<AuditEntry> entries() {
    return List.copyOf(entries);
  }

  /** The entries with this event name, oldest first. */
  public List<AuditEntry> named(String event) {
    return entries.stream().filter(e -> e.event().equals(event)).toList();
  }
}
