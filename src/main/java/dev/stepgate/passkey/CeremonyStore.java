package dev.stepgate.passkey;

import java.util.Optional;

/**
 * Where started ceremonies wait for their response. A ceremony is finished at most once: {@link
 * #take} removes atomically, so two concurrent finishes cannot both get it (WebAuthn L3 §13.4.3:
 * challenges are single-use).
 */
public interface CeremonyStore {

  /** Keeps {@code ceremony} until taken or expired. */
  void put(Ceremony ceremony);

  /** Removes and returns the ceremony; empty if unknown, already taken or evicted. */
  Optional<Ceremony> take(String id);
}
