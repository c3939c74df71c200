package dev.stepgate.credential;

import static dev.stepgate.Async.join;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link AuditLog} backend must do (embedded now, Postgres next). Each backend's test extends this. */
public abstract class AuditLogContract extends StorageContract {
  @Test
  void recordEvent_isReturnedNewestFirst() {
    store.recordEvent("registered", Optional.of("u1"), "first");
    store.recordEvent("possible-clone", Optional.empty(), "second");
    var events = store.recentEvents(10);
    assertEquals(List.of("possible-clone", "registered"), events.stream().map(AuditEvent::kind).toList());
    assertEquals(Optional.of("u1"), events.get(1).userId());
    assertEquals(1, store.recentEvents(1).size());
  }

}
