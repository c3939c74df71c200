package dev.stepgate.credential;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The store's own change record of revocations: every {@link PasskeyStore#revoke} (and, later,
 * every user disabled) appends an entry in the same transaction, whichever process made it. A
 * gateway reads it from the last sequence number it saw, so a revocation made by the admin CLI in
 * another process reaches the gateway's sessions. Stages fail with a {@link CredentialException}.
 */
public interface RevocationLog {
  /** How many entries are read at most per call of {@link #after}. */
  int MAX_BATCH = 500;

  /** The sequence number of the newest entry; 0 when there is none. */
  CompletionStage<Long> lastSeq();

  /**
   * The entries after {@code seq}, oldest first, at most {@code limit} (and at most {@link
   * #MAX_BATCH}).
   */
  CompletionStage<List<LoggedRevocation>> after(long seq, int limit);
}
