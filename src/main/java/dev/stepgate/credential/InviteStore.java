package dev.stepgate.credential;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Enrollment invites, kept by the SHA-256 hash of their token (the token itself is never
 * stored). Stages fail with a {@link CredentialException}.
 */
public interface InviteStore {

  /**
   * Stores an invite.
   *
   * @param tokenHash SHA-256 of the token, 32 bytes
   * @param username normalized username the invite is for
   */
  CompletionStage<Void> create(byte[] tokenHash, String username, Instant expiresAt);

  /**
   * The username an unused invite with this token hash is for, if it has not expired at {@code
   * now}. Does not consume it.
   */
  CompletionStage<Optional<String>> find(byte[] tokenHash, Instant now);

  /**
   * Consumes an invite atomically: succeeds once, for an unexpired invite for {@code username}.
   *
   * @return false if unknown, used, expired or for another username
   */
  CompletionStage<Boolean> consume(byte[] tokenHash, String username, Instant now);
}
