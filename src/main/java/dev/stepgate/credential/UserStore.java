package dev.stepgate.credential;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The people who can sign in. One implementation per {@code storage.driver}. Every method returns
 * at once; the stage fails with a {@link CredentialException} ({@code storage-unavailable}, 503,
 * when the store itself cannot answer), so callers fail closed.
 */
public interface UserStore {

  /**
   * Creates a user. The username must be normalized already ({@link Usernames#normalize}).
   * Fails with {@code username-taken} (409) if it exists.
   */
  CompletionStage<Void> create(User user);

  /** The user with this normalized username. */
  CompletionStage<Optional<User>> byUsername(String username);

  /** The user with this id. */
  CompletionStage<Optional<User>> byId(String userId);

  /** All users, by username. */
  CompletionStage<List<User>> all();
}
