package dev.stepgate.credential;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** What happened to whom, kept with the credentials. Stages fail with a {@link CredentialException}. */
public interface AuditLog {

  /** Appends an event. {@code detail} must not contain secrets. */
  CompletionStage<Void> record(String kind, Optional<String> userId, String detail);

  /** The newest events first, at most {@code limit}. */
  CompletionStage<List<AuditEvent>> recent(int limit);
}
