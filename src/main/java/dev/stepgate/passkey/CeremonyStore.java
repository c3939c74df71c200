package dev.stepgate.passkey;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where started ceremonies wait for their response. A ceremony is finished at most once: {@link
 * #take} removes atomically, so of two concurrent finishes exactly one gets it (WebAuthn L3
 * §13.4.3: challenges are single-use). One implementation per {@code sessions.driver}.
 */
public interface CeremonyStore {

  /** Keeps {@code ceremony} until taken or expired; fails if its id is taken. */
  CompletionStage<Void> put(Ceremony ceremony);

  /** Removes and returns the ceremony; empty if unknown, already taken or evicted. */
  CompletionStage<Optional<Ceremony>> take(String id);
}
