package dev.stepgate.credential;

import java.util.List;

/**
 * The store's own change record of revocations: every {@link CredentialStore#revokeCredential}
 * (and, later, every user disabled) appends an entry in the same transaction, whichever process
 * made it. A gateway reads it from the last sequence number it saw, so a revocation made by the
 * admin CLI in another process reaches the gateway's sessions. Blocking: worker threads only.
 */
public interface RevocationLog {
  /** How many entries are read at most per call of {@link #revocationsAfter}. */
  int MAX_BATCH = 500;

  /** The sequence number of the newest entry; 0 when there is none. */
  long lastRevocationSeq();

  /**
   * The entries after {@code seq}, oldest first, at most {@code limit} (and at most {@link
   * #MAX_BATCH}).
   */
  List<LoggedRevocation> revocationsAfter(long seq, int limit);
}
