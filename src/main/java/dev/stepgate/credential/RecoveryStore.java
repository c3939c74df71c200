package dev.stepgate.credential;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Account recovery secrets (SPEC section 4): each user's set of one-time recovery codes, kept only
 * as keyed hashes (HMAC-SHA256 under an install secret, 32 bytes), and recovery links, kept only as
 * the SHA-256 of their token (32 bytes). Every write is one atomic operation; stages fail with a
 * {@link CredentialException}.
 */
public interface RecoveryStore {

  /**
   * Replaces every code of {@code userId} with {@code codeHashes} in one transaction: the previous
   * set, used or not, stops working.
   */
  CompletionStage<Void> replaceCodes(String userId, List<byte[]> codeHashes, Instant at);

  /**
   * Spends one unused code of {@code userId}, compare-and-set: of any number of concurrent spends
   * of one code exactly one gets true.
   *
   * @return false for a code that is not the user's, or was used
   */
  CompletionStage<Boolean> spendCode(String userId, byte[] codeHash, Instant at);

  /** How many of the user's codes are still unused. */
  CompletionStage<Integer> unusedCodes(String userId);

  /** Stores a single-use recovery link for {@code userId}, valid until {@code expiresAt}. */
  CompletionStage<Void> createLink(byte[] tokenHash, String userId, Instant expiresAt);

  /**
   * Spends a link, compare-and-set: once, while unexpired at {@code now}.
   *
   * @return the user it was for; empty if unknown, used or expired
   */
  CompletionStage<Optional<String>> spendLink(byte[] tokenHash, Instant now);
}
