package dev.stepgate.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where the gateway's assertion signing keys live, so that every node shares them. Implemented by
 * each storage backend. Every method returns at once; a stage fails with the backend's exception
 * (a {@code StepgateException}, 503 when the store cannot answer).
 */
public interface SigningKeyStore {

  /** All keys not yet dropped, newest first. */
  CompletionStage<List<StoredSigningKey>> all();

  /** Adds a key; fails if its {@code kid} exists already. */
  CompletionStage<Void> add(StoredSigningKey key);

  /** Marks the key retired at {@code retiredAt} unless it is already; it stays published until its grace ends. */
  CompletionStage<Void> retire(String kid, Instant retiredAt);

  /** Removes keys whose retirement is older than {@code before}. Returns how many. */
  CompletionStage<Integer> dropRetiredBefore(Instant before);

  /**
   * A signing key as stored: the private JWK (JSON) is a secret and is never logged.
   *
   * @param kid key id published in the JWKS and in assertion headers
   * @param privateJwk the full EC P-256 key as JWK JSON, private part included
   * @param createdAt when it was generated
   * @param retiredAt when it stopped being current, if it has
   */
  record StoredSigningKey(String kid, String privateJwk, Instant createdAt, Optional<Instant> retiredAt) {
    public StoredSigningKey {
      if (kid == null || kid.isBlank()) throw new IllegalArgumentException("kid must not be blank");
      if (privateJwk == null || privateJwk.isBlank())
        throw new IllegalArgumentException("privateJwk must not be blank");
      if (createdAt == null) throw new IllegalArgumentException("createdAt must not be null");
      retiredAt = retiredAt == null ? Optional.empty() : retiredAt;
    }

    @Override
    public String toString() {
      // Never print the private key.
      return "StoredSigningKey[kid=" + kid + ", createdAt=" + createdAt + ", retiredAt=" + retiredAt + "]";
    }
  }
}
